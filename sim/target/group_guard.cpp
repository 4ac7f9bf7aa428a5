#include "target/group_guard.hpp"

#include <signal.h>

#include <array>
#include <atomic>
#include <stdexcept>

namespace herd::sim::target {

namespace {

// A fixed table, read by the signal handler: no allocation, no lock.
std::array<std::atomic<pid_t>, 4096> groups{};

extern "C" void kill_groups_and_die(int signal) {
    for (auto& g : groups)
        if (const pid_t leader = g.load(); leader > 0) ::kill(-leader, SIGKILL);
    ::signal(signal, SIG_DFL);
    ::raise(signal);
}

void install_once() {
    static const bool installed = [] {
        struct sigaction action {};
        action.sa_handler = kill_groups_and_die;
        sigemptyset(&action.sa_mask);
        for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &action, nullptr);
        return true;
    }();
    (void)installed;
}

}  // namespace

void guard_group(pid_t leader) {
    install_once();
    for (auto& g : groups) {
        pid_t empty = 0;
        if (g.compare_exchange_strong(empty, leader)) return;
    }
    ::kill(-leader, SIGKILL);
    throw std::runtime_error("more than 4096 server processes at once");
}

void release_group(pid_t leader) {
    for (auto& g : groups) {
        pid_t mine = leader;
        if (g.compare_exchange_strong(mine, 0)) return;
    }
}

}  // namespace herd::sim::target
