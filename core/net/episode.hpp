#pragma once
// A repeated event (an invalid line, an overlong line, a refused connection) logged once per
// episode, not once per event: the first event of an episode is logged in full by the caller, the
// rest only counted, and the count is logged when the episode ends (a log flush finds no event
// since the one before) or, while it lasts, once per report period. So a flood of junk grows the
// log by a few lines per period, whatever its volume.
#include <chrono>
#include <cstdint>
#include <string>

#include <spdlog/logger.h>

namespace herd {

class Episode {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds report_period{10};

    explicit Episode(std::string what) : what_(std::move(what)) {}

    // Counts one event of `bytes` bytes. True when it begins an episode: the caller logs it.
    bool begin(std::size_t bytes = 0);

    // At every log flush: ends an episode with no event since the last call, or reports one that
    // has lasted report_period since its last report; either way logs what was only counted.
    void tick(spdlog::logger& log, Clock::time_point now = Clock::now());

private:
    void report(spdlog::logger& log, const char* state);

    std::string what_;
    bool open_ = false;
    bool recent_ = false;   // an event since the last tick
    std::uint64_t counted_ = 0;  // events not logged since the last report
    std::uint64_t bytes_ = 0;
    Clock::time_point reported_{};
};

}  // namespace herd
