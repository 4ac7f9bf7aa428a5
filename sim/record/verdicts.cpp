#include "record/verdicts.hpp"

#include <algorithm>

namespace herd::sim {

const char* verdict_name(VerdictKind kind) {
    switch (kind) {
        case VerdictKind::pass: return "pass";
        case VerdictKind::fail: return "fail";
        case VerdictKind::unchecked: return "unchecked";
    }
    return "fail";
}

RunVerdict run_verdict(const std::vector<Verdict>& verdicts, bool has_expectation, bool interrupted) {
    const auto any = [&](VerdictKind kind) {
        return std::any_of(verdicts.begin(), verdicts.end(), [kind](const Verdict& v) { return v.kind == kind; });
    };
    if (any(VerdictKind::fail)) return RunVerdict::fail;
    if (interrupted) return RunVerdict::interrupted;
    return has_expectation && !any(VerdictKind::unchecked) ? RunVerdict::pass : RunVerdict::unchecked;
}

const char* verdict_name(RunVerdict verdict) {
    switch (verdict) {
        case RunVerdict::pass: return "pass";
        case RunVerdict::fail: return "fail";
        case RunVerdict::unchecked: return "unchecked";
        case RunVerdict::interrupted: return "interrupted";
    }
    return "fail";
}

}  // namespace herd::sim
