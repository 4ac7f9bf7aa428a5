#include "scenario/loader_impl.hpp"

#include <charconv>

#include "protocol/timestamp.hpp"

namespace herd::sim::scenario_reading {

std::optional<StepAction> Loader::read_expect_knows(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with node and client (and time)", {"node", "client", "time"});
    if (!at) return std::nullopt;
    ExpectKnowsStep knows;
    read_node(*at, "node", knows.node);
    read_word(*at, "client", knows.client, Need::required, "a client ID without whitespace");
    std::string time;
    const std::string_view expected = "a POSIX time as text (\"1520023934.918963997\")";
    if (read_string(*at, "time", time, Need::optional, expected)) {
        if (parse_posix_time(time)) knows.time = time;
        else error(at->field("time"), "expected " + std::string(expected) + ", got " + in_quotes(time));
    }
    return knows;
}

std::optional<StepAction> Loader::read_expect_unknown(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with node and client", {"node", "client"});
    if (!at) return std::nullopt;
    ExpectKnowsStep unknown;
    unknown.knows = false;
    read_node(*at, "node", unknown.node);
    read_word(*at, "client", unknown.client, Need::required, "a client ID without whitespace");
    return unknown;
}

std::optional<StepAction> Loader::read_expect_converged(const Json& v, const std::string& path, std::size_t) {
    if (!read_true(v, path)) return std::nullopt;
    return ExpectConvergedStep{};
}

// A latency bound: milliseconds with a fraction (loopback floods take tenths of one).
bool Loader::read_gate_ms(const At& at, std::string_view key, std::optional<double>& out) {
    double ms = 0;
    const NumberRule rule{0, static_cast<double>(max_millis),
                          "a number of milliseconds from 0 to 86400000 (fractions allowed: 0.25)"};
    if (!read_number(at, key, ms, rule, Need::optional)) return false;
    out = ms;
    return true;
}

// "phase": a phase begun by an earlier step (a gate judges what was born so far).
void Loader::read_phase_ref(const At& at, std::string& out) {
    std::string name;
    if (!read_string(at, "phase", name, Need::optional, "a phase name")) return;
    if (phases_.count(name)) {
        out = std::move(name);
        return;
    }
    std::vector<std::string> known;
    for (const auto& [phase, _] : phases_) known.push_back(phase);
    error(at.field("phase"), "unknown phase " + in_quotes(name) +
                                 (known.empty() ? std::string(" (no phase step comes before this one)")
                                                : " (phases begun before this step: " + join(known) + ")"));
}

std::optional<StepAction> Loader::read_expect_latency(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with p50_ms, p95_ms, p99_ms and/or max_ms (and phase)",
                         {"p50_ms", "p95_ms", "p99_ms", "max_ms", "phase"});
    if (!at) return std::nullopt;
    ExpectLatencyStep latency;
    read_gate_ms(*at, "p50_ms", latency.p50);
    read_gate_ms(*at, "p95_ms", latency.p95);
    read_gate_ms(*at, "p99_ms", latency.p99);
    read_gate_ms(*at, "max_ms", latency.max);
    read_phase_ref(*at, latency.phase);
    if (!at->has("p50_ms") && !at->has("p95_ms") && !at->has("p99_ms") && !at->has("max_ms"))
        error(path, "give at least one of p50_ms, p95_ms, p99_ms, max_ms");
    return latency;
}

std::optional<StepAction> Loader::read_expect_messages(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with max_per_update or exact (and phase)", {"max_per_update", "exact", "phase"});
    if (!at) return std::nullopt;
    if (at->has("max_per_update") == at->has("exact")) error(path, "give exactly one of max_per_update, exact");
    ExpectMessagesStep messages;
    read_phase_ref(*at, messages.phase);
    double max = 0;
    const NumberRule non_negative{0, std::numeric_limits<double>::max(), "a non-negative number"};
    if (read_number(*at, "max_per_update", max, non_negative, Need::optional)) messages.max_per_update = max;
    std::string exact;
    if (read_string(*at, "exact", exact, Need::optional, "\"2E-(N-1)\"")) {
        if (exact == "2E-(N-1)") messages.exact_2e_minus_n_minus_1 = true;
        else error(at->field("exact"), "expected \"2E-(N-1)\" (the only formula so far), got " + in_quotes(exact));
    }
    return messages;
}

std::optional<StepAction> Loader::read_expect_lost(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with max (and phase or required)", {"max", "phase", "required"});
    if (!at) return std::nullopt;
    ExpectLostStep lost;
    read_int(*at, "max", lost.max_lost, IntRule{0, kCountRule.hi, "a non-negative integer (updates)"});
    read_phase_ref(*at, lost.phase);
    std::string required;
    if (read_string(*at, "required", required, Need::optional, "\"at_birth\" or \"now\"")) {
        if (required == "now") lost.required = LostRequired::now;
        else if (required != "at_birth")
            error(at->field("required"), "expected \"at_birth\" or \"now\", got " + in_quotes(required));
    }
    if (lost.required == LostRequired::now && !lost.phase.empty())
        error(at->field("required"), "\"now\" judges what the nodes hold at the step, whenever an update was born: it "
                                     "takes no phase");
    return lost;
}

std::optional<StepAction> Loader::read_expect_recovery(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with max_ms (and fault, or each)", {"max_ms", "fault", "each"});
    if (!at) return std::nullopt;
    ExpectRecoveryStep recovery;
    read_bool(*at, "each", recovery.each);
    if (recovery.each && at->has("fault"))
        error(at->field("each"), "judges every fault window; it takes no \"fault\" (drop one of the two)");
    std::optional<double> max;
    if (read_gate_ms(*at, "max_ms", max)) recovery.max_ms = *max;
    else if (!at->has("max_ms")) error(at->field("max_ms"), "missing; expected a number of milliseconds");
    std::string fault;
    const std::string_view expected = "\"steps[N]\", the step that began the fault";
    if (read_string(*at, "fault", fault, Need::optional, expected)) {
        std::size_t index = 0;
        const auto digits = fault.size() > 7 && fault.rfind("steps[", 0) == 0 && fault.back() == ']'
                                ? std::string_view(fault).substr(6, fault.size() - 7)
                                : std::string_view();
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
            error(at->field("fault"), "expected " + std::string(expected) + ", got " + in_quotes(fault));
        else if (!fault_starts_.count(index))
            error(at->field("fault"), in_quotes(fault) + " is not an earlier step that begins a fault (crash, pause, " +
                                          "cut, partition, drop, stall, delay)");
        else
            recovery.fault = index;
    } else if (!at->has("fault") && !fault_ended_) {
        error(path, "no earlier step ends a fault (restart, resume, heal, heal_all, unstall, delay): nothing can recover");
    }
    return recovery;
}

}  // namespace herd::sim::scenario_reading
