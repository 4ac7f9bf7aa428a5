#pragma once
// A repeated event (an invalid line, an overlong line, a refused connection) logged per episode,
// not per event: the first `logged` events of an episode are logged in full by the caller, the
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

    // Lines received that are not acted on: a person piping a file of bad lines sees the reason of
    // each of the first ones.
    static constexpr std::uint32_t lines_logged = 16;

    explicit Episode(std::string what, std::uint32_t logged = 1) : what_(std::move(what)), logged_(logged) {}

    // Counts one event of `bytes` bytes. True for the first `logged` events of an episode: the
    // caller logs it.
    bool begin(std::size_t bytes = 0);

    // At every log flush: ends an episode with no event since the last call, or reports one that
    // has lasted report_period since its last report; either way logs what was only counted.
    void tick(spdlog::logger& log, Clock::time_point now = Clock::now());

private:
    void report(spdlog::logger& log, const char* state);

    std::string what_;
    std::uint32_t logged_;
    std::uint32_t logged_now_ = 0;  // in this episode
    bool open_ = false;
    bool recent_ = false;   // an event since the last tick
    std::uint64_t counted_ = 0;  // events not logged since the last report
    std::uint64_t bytes_ = 0;
    Clock::time_point reported_{};
};

}  // namespace herd
