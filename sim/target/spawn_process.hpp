#pragma once
// Starting one server process of a herd under test: the leader of a process group of its own
// (guarded, so that herdsim's death by a signal kills it too, and PR_SET_PDEATHSIG for a SIGKILL),
// stdin /dev/null, stdout and stderr appended to files, no descriptor of herdsim's inherited.
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace herd::sim::target {

struct ProcessSpec {
    std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no "/"
    std::vector<std::string> env;   // the whole environment, "KEY=VALUE" each
    std::filesystem::path cwd;
    std::filesystem::path stdout_file, stderr_file;
};

// The new process's pid (its group's id). Throws std::runtime_error naming `name` when the output
// files cannot be opened or fork fails; a command that cannot be executed exits 127 with why on
// its stderr.
pid_t spawn_process(const ProcessSpec& spec, const std::string& name);

// herdsim's environment with `overrides` ("KEY=VALUE") in place of the variables they name.
std::vector<std::string> environment_with(const std::vector<std::string>& overrides);

}  // namespace herd::sim::target
