#include "scenario/loader_impl.hpp"

#include <algorithm>
#include <cctype>

namespace herd::sim::scenario_reading {

namespace {

constexpr std::size_t max_phase_bytes = 64;

// A phase name: also a --fail-if section in `herdsim compare`, so no ':' and no whitespace.
bool is_phase_name(std::string_view name) {
    return !name.empty() && name.size() <= max_phase_bytes && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
    });
}

}  // namespace

std::optional<StepAction> Loader::read_wait(const Json& v, const std::string& path, std::size_t) {
    const auto ms = int_value(v, path, kMillisRule);
    if (!ms) return std::nullopt;
    return WaitStep{Millis(*ms)};
}

std::optional<StepAction> Loader::read_wait_quiet(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object (quiet_ms, timeout_ms; {} for the defaults)", {"quiet_ms", "timeout_ms"});
    if (!at) return std::nullopt;
    WaitQuietStep wait;
    read_millis(*at, "quiet_ms", wait.quiet, kPositiveMillisRule);
    read_millis(*at, "timeout_ms", wait.timeout, kPositiveMillisRule);
    if (wait.quiet > wait.timeout)
        error(path, "quiet_ms (" + std::to_string(wait.quiet.count()) + ") is longer than timeout_ms (" +
                        std::to_string(wait.timeout.count()) + "): the wait could never succeed");
    return wait;
}

std::optional<StepAction> Loader::read_phase(const Json& v, const std::string& path, std::size_t step) {
    const auto name = string_value(v, path, "a phase name");
    if (!name) return std::nullopt;
    if (!is_phase_name(*name)) {
        error(path, "expected a phase name (letters, digits, '-', '_', '.'; 1 to 64 bytes), got " + in_quotes(*name));
        return std::nullopt;
    }
    if (const auto it = phases_.find(*name); it != phases_.end()) {
        error(path, "phase " + in_quotes(*name) + " already begins at " + at_step(it->second) + " (names are unique)");
        return std::nullopt;
    }
    phases_.emplace(*name, step);
    return PhaseStep{*name};
}

}  // namespace herd::sim::scenario_reading
