#include "cli/forked_runs.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <map>
#include <stdexcept>

namespace herdsim::cli {

void run_forked(std::size_t at_once, unsigned deadline_s, const std::function<std::optional<std::size_t>()>& next,
                const std::function<std::optional<std::string>(std::size_t job)>& child,
                const std::function<void(const ForkedEnd&)>& ended) {
    struct Running {
        std::size_t job;
        int fd;
    };
    std::map<pid_t, Running> running;
    const auto reap = [&] {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        const auto found = running.find(pid);
        if (found == running.end()) return;
        std::string text;
        char buffer[4096];
        for (ssize_t n; (n = ::read(found->second.fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
        ::close(found->second.fd);
        ForkedEnd end;
        end.job = found->second.job;
        end.hung = WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM;
        if (!end.hung && WIFEXITED(status) && WEXITSTATUS(status) == 0) end.text = std::move(text);
        running.erase(found);
        ended(end);
    };
    const auto start = [&](std::size_t job) {
        int fds[2];
        // Close-on-exec: a server process a run starts must not hold the pipe open after the run ends.
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        std::cout.flush();
        std::cerr.flush();
        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            ::close(fds[0]);
            ::alarm(deadline_s);
            const auto result = child(job);
            const std::string text = result.value_or("");
            for (std::size_t at = 0; at < text.size();) {
                const ssize_t n = ::write(fds[1], text.data() + at, text.size() - at);
                if (n <= 0) break;
                at += static_cast<std::size_t>(n);
            }
            std::cout.flush();
            std::cerr.flush();
            ::_exit(result ? 0 : 2);
        }
        ::close(fds[1]);
        running[pid] = {job, fds[0]};
    };
    for (;;) {
        while (running.size() < at_once) {
            const auto job = next();
            if (!job) break;
            start(*job);
        }
        if (running.empty()) return;
        reap();
    }
}

}  // namespace herdsim::cli
