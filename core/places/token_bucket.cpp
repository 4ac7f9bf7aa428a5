#include "places/token_bucket.hpp"

namespace herd {

namespace {
constexpr std::int64_t one_token = 1'000'000'000;
}

TokenBucket::TokenBucket(std::uint32_t rate_per_second, std::uint32_t burst, Clock::time_point now)
    : rate_(rate_per_second), capacity_(std::int64_t{burst} * one_token), held_(capacity_), last_(now) {}

void TokenBucket::refill(Clock::time_point now) {
    const std::int64_t elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_).count();
    if (elapsed <= 0) return;  // the same instant, or a `now` from before the last one
    last_ = now;
    const std::int64_t room = capacity_ - held_;
    // Compared before multiplying: a long idle time times the rate would overflow.
    if (rate_ == 0 || room == 0) return;
    held_ = elapsed > room / rate_ ? capacity_ : held_ + elapsed * rate_;
}

bool TokenBucket::take(Clock::time_point now) {
    refill(now);
    if (held_ < one_token) return false;
    held_ -= one_token;
    return true;
}

std::uint32_t TokenBucket::tokens(Clock::time_point now) {
    refill(now);
    return static_cast<std::uint32_t>(held_ / one_token);
}

}  // namespace herd
