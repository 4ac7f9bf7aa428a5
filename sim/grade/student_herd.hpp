#pragma once
// A student's herd as the course's graders run it: each server started by its command, 0.5 s
// after the one before, and stopped as `lsof -ti:PORT | xargs kill` stops it (SIGTERM to every
// process with a socket on its port, here only among the herd's own processes; with relayed links
// also on the ports its neighbours reach it at), then 0.3 s.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/types.h>

#include "config/herd_config.hpp"

namespace herd::sim::grade {

struct StudentHerdSpec {
    // A shell command; {name}, {port}, {config}, {places_url} and {log_dir} are replaced, each
    // quoted for the shell. Run with /bin/sh -c in `cwd`.
    std::string command;
    std::filesystem::path cwd;
    std::vector<std::pair<std::string, std::string>> env = {};  // values with the same placeholders (not quoted)
    HerdConfig herd = {};             // names, ports, links; places.base_url is the mock's
    std::filesystem::path dir = {};   // configs, stdout, stderr and log folders (made absolute)
    // Relayed links: (from, to) -> where `from` reaches `to`, each server's {config} saying so;
    // empty: every {config} gives the servers' own ports.
    std::map<std::pair<std::string, std::string>, std::uint16_t> relay_ports = {};
    std::chrono::milliseconds ready_timeout{30000};
};

// What went unlike the course's timing: "Juzang: accepting 1.20 s after its start".
using Notes = std::vector<std::string>;

// `text` quoted for /bin/sh: 'it'\''s'.
std::string shell_quote(std::string_view text);

// Throws std::invalid_argument for a placeholder it does not know ({nmae}).
void check_placeholders(const std::string& command);

class StudentHerd {
public:
    explicit StudentHerd(StudentHerdSpec spec);
    ~StudentHerd();  // every process group killed and reaped
    StudentHerd(const StudentHerd&) = delete;
    StudentHerd& operator=(const StudentHerd&) = delete;

    std::uint16_t port(const std::string& name) const;
    const HerdConfig& herd() const { return spec_.herd; }

    // Starts it, waits the course's 0.5 s, and then, if it does not accept yet, until it does or
    // ready_timeout passes (a note either way). False if it never accepted or exited.
    bool start(const std::string& name);
    // SIGTERM as lsof would find them (a paused server continued after it), 0.3 s, then until the
    // server exited (30 s at most, then SIGKILL).
    void stop(const std::string& name);
    // Faults for the extras, as a dead host and a stopped process: SIGKILL to the server's group
    // (reaped at once), and SIGSTOP and SIGCONT to it.
    void crash(const std::string& name);
    void pause(const std::string& name);
    void resume(const std::string& name);
    void kill_all();
    const Notes& notes() const { return notes_; }

private:
    std::filesystem::path config_file(const std::string& name) const;

    StudentHerdSpec spec_;
    std::map<std::string, pid_t> pids_;  // live servers, by name; each leads its group
    std::vector<pid_t> groups_;          // every group started, to reap
    Notes notes_;
};

}  // namespace herd::sim::grade
