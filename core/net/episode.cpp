#include "net/episode.hpp"

namespace herd {

bool Episode::begin(std::size_t bytes) {
    recent_ = true;
    if (!open_) {
        open_ = true;
        reported_ = Clock::now();
        logged_now_ = 0;
    }
    if (logged_now_ < logged_) {
        ++logged_now_;
        return true;
    }
    ++counted_;
    bytes_ += bytes;
    return false;
}

void Episode::tick(spdlog::logger& log, Clock::time_point now) {
    if (!open_) return;
    if (!recent_) {
        report(log, "episode over");
        open_ = false;
    } else if (now - reported_ >= report_period) {
        report(log, "still going");
        reported_ = now;
    }
    recent_ = false;
}

void Episode::report(spdlog::logger& log, const char* state) {
    if (counted_ == 0) return;
    if (bytes_ > 0)
        log.warn("{}: {} more not logged ({} bytes); {}", what_, counted_, bytes_, state);
    else
        log.warn("{}: {} more not logged; {}", what_, counted_, state);
    counted_ = 0;
    bytes_ = 0;
}

}  // namespace herd
