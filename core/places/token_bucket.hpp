#pragma once
// A token bucket: `rate_per_second` tokens a second, at most `burst` held, full at the start. Pure:
// time is passed in, and tokens are counted in billionths with integers, so a test can pin it to
// the nanosecond and nothing drifts.
#include <chrono>
#include <cstdint>

namespace herd {

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    TokenBucket(std::uint32_t rate_per_second, std::uint32_t burst, Clock::time_point now);

    // Takes one token if one is held at `now`.
    bool take(Clock::time_point now);

    // Whole tokens held at `now`.
    std::uint32_t tokens(Clock::time_point now);

private:
    void refill(Clock::time_point now);

    std::int64_t rate_;      // billionths of a token gained per nanosecond: tokens a second
    std::int64_t capacity_;  // billionths
    std::int64_t held_;      // billionths
    Clock::time_point last_;
};

}  // namespace herd
