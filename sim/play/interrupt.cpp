#include "play/interrupt.hpp"

#include <csignal>

namespace herd::sim {

namespace {

volatile std::sig_atomic_t raised_flag = 0;
struct sigaction previous_int, previous_term;

void on_signal(int signal) {
    if (raised_flag) {
        // The second one: what the signal would have done without us.
        std::signal(signal, SIG_DFL);
        std::raise(signal);
        return;
    }
    raised_flag = 1;
}

}  // namespace

InterruptFlag::InterruptFlag() {
    raised_flag = 0;
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
}

bool InterruptFlag::raised() const { return raised_flag != 0; }

}  // namespace herd::sim
