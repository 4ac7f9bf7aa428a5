#pragma once
// A target file (docs/target.md): how to start one server of an external herd, and how herdsim
// connects its servers. Read and checked before any scenario runs.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace herd::sim::target {

enum class Links { relayed, direct };
// How herdsim's clients write. A send step without a named connection writes on a connection of
// its own in every style; half_close then also shuts down the sending side, for servers that read
// until the end of the stream before they answer (the course's graders' client). A workload keeps
// one connection per server with persistent, and opens one per report otherwise, for servers that
// read one command per connection.
enum class ClientStyle { persistent, per_command, half_close };

struct TargetSpec {
    std::filesystem::path file;
    std::vector<std::string> command;                         // with placeholders
    std::filesystem::path cwd;                                // absolute: resolved against the file's folder
    std::vector<std::pair<std::string, std::string>> env;     // values with placeholders
    Links links = Links::relayed;
    ClientStyle client = ClientStyle::persistent;
    std::chrono::milliseconds ready_timeout{5000};
    std::chrono::milliseconds poll_interval{50};
    std::map<std::string, std::uint16_t, std::less<>> ports;  // "servers": fixed ports by name
};

// "FILE: FIELD: MESSAGE", ready to print.
struct TargetError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

TargetSpec parse_target(std::string_view json_text, const std::filesystem::path& file);
TargetSpec load_target(const std::filesystem::path& file);

// `text` with {name} {port} {config} {places_url} {log_dir} replaced from `values`.
std::string expand(std::string_view text, const std::map<std::string, std::string, std::less<>>& values);

}  // namespace herd::sim::target
