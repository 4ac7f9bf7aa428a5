#include "target/spawn_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "target/group_guard.hpp"

extern char** environ;

namespace herd::sim::target {

std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
    auto key = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string_view entry(*e);
        if (std::none_of(overrides.begin(), overrides.end(), [&](const std::string& o) { return key(o) == key(entry); }))
            env.emplace_back(entry);
    }
    env.insert(env.end(), overrides.begin(), overrides.end());
    return env;
}

pid_t spawn_process(const ProcessSpec& spec, const std::string& name) {
    // Everything the child needs is built before fork: after it, only async-signal-safe calls.
    std::vector<std::string> args = spec.argv, env = spec.env;
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const std::string cwd = spec.cwd.string();
    const std::string exec_failed = "herdsim: could not start \"" + args.front() + "\" in " + cwd + ": ";

    const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
    const int out = ::open(spec.stdout_file.c_str(), flags, 0644);
    const int err = ::open(spec.stderr_file.c_str(), flags, 0644);
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || err < 0 || in < 0) {
        for (int fd : {out, err, in})
            if (fd >= 0) ::close(fd);
        throw std::runtime_error(name + ": cannot open its output files in " + spec.stdout_file.parent_path().string() +
                                 ": " + std::strerror(errno));
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        // Asio's sockets are not close-on-exec: a relay's listener inherited here would accept
        // (into a backlog nobody reads) while the relay refuses.
        if (::close_range(3, ~0U, 0) != 0)
            for (int fd = 3; fd < 65536; ++fd) ::close(fd);
        if (::chdir(cwd.c_str()) == 0) ::execvpe(argv[0], argv.data(), envp.data());
        const char* why = std::strerror(errno);
        (void)!::write(2, exec_failed.data(), exec_failed.size());
        (void)!::write(2, why, std::strlen(why));
        (void)!::write(2, "\n", 1);
        ::_exit(127);
    }
    const int fork_error = errno;
    for (int fd : {out, err, in}) ::close(fd);
    if (pid < 0) throw std::runtime_error(name + ": fork failed: " + std::strerror(fork_error));
    ::setpgid(pid, pid);  // also here: the group must exist before anyone signals it
    guard_group(pid);
    return pid;
}

}  // namespace herd::sim::target
