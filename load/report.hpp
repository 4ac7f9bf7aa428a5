#pragma once
// What a `herdsim load` run measured, and its two forms: the text table and the JSON object.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "load/histogram.hpp"
#include "load/options.hpp"

namespace herd::load {

// --check-known: how many (client, server) pairs showed the client's newest record.
struct KnownCheck {
    std::uint64_t clients = 0, pairs = 0, known = 0;
    int passes = 0;      // the most any server needed
    double seconds = 0;  // from the check's start until the last pair was seen (or the check gave up)
    std::vector<std::string> missing_examples;
    bool all() const { return known == pairs; }
};

struct LoadReport {
    LoadOptions options;
    std::uint64_t sent_iamat = 0, sent_whatsat = 0;
    std::uint64_t replied = 0;  // whole replies read, right or wrong
    std::uint64_t wrong = 0;
    // Errors: connections that could not be opened (each is tried once, within the timeout), that
    // the generator closed because a reply was later than the timeout, that the server closed (or
    // reset) while requests were due; and the requests left without a reply by those.
    std::uint64_t connect_failed = 0, timed_out = 0, closed = 0, unanswered = 0;
    std::vector<std::string> wrong_examples, error_examples;  // the first few, with what and why
    double seconds = 0;        // from the first request to the last reply
    double max_send_lag = 0;   // open loop: how far behind its schedule a request was written, in s
    LatencyHistogram latency;  // from the intended send time to the reply's last byte
    std::optional<double> herd_cpu;  // seconds, with --pids
    double generator_cpu = 0;        // this process's own, in seconds
    std::optional<KnownCheck> known;  // with --check-known

    std::uint64_t sent() const { return sent_iamat + sent_whatsat; }
    std::uint64_t errors() const { return connect_failed + timed_out + closed; }
    bool clean() const {
        return sent() > 0 && errors() == 0 && unanswered == 0 && wrong == 0 && (!known || known->all());
    }
};

inline constexpr std::size_t max_examples = 5;

std::string report_text(const LoadReport& report);
nlohmann::json report_json(const LoadReport& report);

}  // namespace herd::load
