#include "record/verdicts.hpp"

#include <algorithm>

namespace herd::sim {

RunVerdict run_verdict(const std::vector<Verdict>& verdicts, bool has_expectation) {
    if (std::any_of(verdicts.begin(), verdicts.end(), [](const Verdict& v) { return !v.passed; })) return RunVerdict::fail;
    return has_expectation ? RunVerdict::pass : RunVerdict::unchecked;
}

const char* verdict_name(RunVerdict verdict) {
    switch (verdict) {
        case RunVerdict::pass: return "pass";
        case RunVerdict::fail: return "fail";
        case RunVerdict::unchecked: return "unchecked";
    }
    return "fail";
}

}  // namespace herd::sim
