#include "support/child_process.hpp"

#include <csignal>
#include <system_error>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "client/line_client.hpp"

extern char** environ;

namespace herd::test {

struct ChildProcess::State {
    explicit State(boost::asio::io_context& io, int fd) : pipe(io, fd) {}
    boost::asio::posix::stream_descriptor pipe;
    std::string output;
    char chunk[4096];
    bool eof = false;
};

namespace {

// Reads until EOF; the state outlives a read still pending when the ChildProcess is destroyed.
void read_more(const std::shared_ptr<ChildProcess::State>& state) {
    state->pipe.async_read_some(boost::asio::buffer(state->chunk),
                                [state](const boost::system::error_code& ec, std::size_t n) {
                                    state->output.append(state->chunk, n);
                                    if (ec) {
                                        state->eof = true;
                                        return;
                                    }
                                    read_more(state);
                                });
}

void check(int result, const char* what) {
    if (result != 0) throw std::system_error(result, std::generic_category(), what);
}

}  // namespace

ChildProcess::ChildProcess(boost::asio::io_context& io, const std::filesystem::path& program,
                           const std::vector<std::string>& args, const std::filesystem::path& cwd)
    : io_(io) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    posix_spawn_file_actions_t actions;
    check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init");
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    std::vector<std::string> words{program.string()};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (spawned != 0) {
        close(fds[0]);
        throw std::system_error(spawned, std::generic_category(), "posix_spawn " + program.string());
    }
    state_ = std::make_shared<State>(io, fds[0]);
    read_more(state_);
}

ChildProcess::~ChildProcess() {
    if (pid_ < 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
}

bool ChildProcess::wait_for_output(std::string_view text, std::chrono::milliseconds limit) {
    return sim::run_until(io_, [&] { return state_->output.find(text) != std::string::npos || state_->eof; }, limit) &&
           state_->output.find(text) != std::string::npos;
}

const std::string& ChildProcess::output() const { return state_->output; }

void ChildProcess::send_signal(int signal) { kill(pid_, signal); }

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds limit) {
    if (!sim::run_until(io_, [&] { return state_->eof; }, limit)) return std::nullopt;
    int status = 0;
    const pid_t reaped = waitpid(pid_, &status, 0);
    pid_ = -1;
    if (reaped < 0 || !WIFEXITED(status)) return std::nullopt;
    return WEXITSTATUS(status);
}

}  // namespace herd::test
