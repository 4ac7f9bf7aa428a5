#pragma once
// Whether a WHATSAT may send a fresh Places request now: at most `max_in_flight` requests waiting
// for the service at once, at most `rate_per_second` over time with bursts of `burst`. Pure: time
// is passed in. Refusals come in episodes, each logged twice whatever its length: at its first
// refusal, and with its count once a request is allowed again.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "places/places_settings.hpp"
#include "places/token_bucket.hpp"

namespace herd {

class PlacesGate {
public:
    using Clock = std::chrono::steady_clock;

    PlacesGate(const PlacesLimits& limits, Clock::time_point now);

    struct Verdict {
        std::optional<std::string> refusal;  // set: no request; the client's error_message, naming the limit
        std::vector<std::string> log;        // warnings for the server's log: an episode began or ended
    };

    // An allowed request counts as in flight until finished() is called for it.
    Verdict admit(Clock::time_point now);
    void finished();

    std::uint32_t in_flight() const { return in_flight_; }

private:
    struct Episode {
        std::uint64_t refused = 0;
        Clock::time_point since{};
    };
    void refuse(Episode& episode, const std::string& reason, Clock::time_point now, Verdict& verdict);
    static void close(Episode& episode, std::string_view limit, Clock::time_point now, Verdict& verdict);

    PlacesLimits limits_;
    TokenBucket bucket_;
    std::uint32_t in_flight_ = 0;
    Episode over_in_flight_, over_rate_;
};

}  // namespace herd
