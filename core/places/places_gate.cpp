#include "places/places_gate.hpp"

namespace herd {

PlacesGate::PlacesGate(const PlacesLimits& limits, Clock::time_point now)
    : limits_(limits), bucket_(limits.rate_per_second, limits.burst, now) {}

PlacesGate::Verdict PlacesGate::admit(Clock::time_point now) {
    Verdict verdict;
    // In flight first: a request refused for it must not spend a token as well.
    if (limits_.max_in_flight > 0 && in_flight_ >= limits_.max_in_flight) {
        refuse(over_in_flight_,
               "Places in-flight limit reached: " + std::to_string(limits_.max_in_flight) +
                   " requests of this server are already waiting for the Places service",
               now, verdict);
    } else if (limits_.rate_per_second > 0 && !bucket_.take(now)) {
        refuse(over_rate_,
               "Places rate limit reached: this server sends at most " + std::to_string(limits_.rate_per_second) +
                   " requests a second (bursts of " + std::to_string(limits_.burst) + ")",
               now, verdict);
    } else {
        ++in_flight_;
        close(over_in_flight_, "in-flight", now, verdict);
        close(over_rate_, "rate", now, verdict);
    }
    return verdict;
}

void PlacesGate::finished() {
    if (in_flight_ > 0) --in_flight_;
}

void PlacesGate::refuse(Episode& episode, const std::string& reason, Clock::time_point now, Verdict& verdict) {
    if (episode.refused++ == 0) {
        episode.since = now;
        verdict.log.push_back(reason + "; WHATSATs get UNKNOWN_ERROR until a request is allowed again");
    }
    verdict.refusal = reason;
}

void PlacesGate::close(Episode& episode, std::string_view limit, Clock::time_point now, Verdict& verdict) {
    if (episode.refused == 0) return;
    const auto lasted = std::chrono::duration_cast<std::chrono::milliseconds>(now - episode.since).count();
    verdict.log.push_back("Places " + std::string(limit) + " limit: " + std::to_string(episode.refused) +
                          " WHATSAT(s) refused in " + std::to_string(lasted) + " ms; requests are allowed again");
    episode = {};
}

}  // namespace herd
