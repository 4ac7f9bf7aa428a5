#include "play/interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <stdexcept>

namespace herd::sim {

namespace {

volatile std::sig_atomic_t raised_flag = 0;
int wake_pipe[2] = {-1, -1};  // the handler writes a byte to [1]: a self-pipe, async-signal-safe
struct sigaction previous_int, previous_term;

void on_signal(int signal) {
    if (raised_flag) {
        // The second one: what the signal would have done without us.
        std::signal(signal, SIG_DFL);
        std::raise(signal);
        return;
    }
    raised_flag = 1;
    const int saved = errno;
    (void)!::write(wake_pipe[1], "!", 1);
    errno = saved;
}

}  // namespace

InterruptFlag::InterruptFlag() {
    raised_flag = 0;
    if (::pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot make a pipe for Ctrl-C");
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, &previous_int);
    sigaction(SIGTERM, &action, &previous_term);
}

InterruptFlag::~InterruptFlag() {
    sigaction(SIGINT, &previous_int, nullptr);
    sigaction(SIGTERM, &previous_term, nullptr);
    for (int& fd : wake_pipe) {
        ::close(fd);
        fd = -1;
    }
}

bool InterruptFlag::raised() const { return raised_flag != 0; }

int InterruptFlag::wake_fd() const { return wake_pipe[0]; }

}  // namespace herd::sim
