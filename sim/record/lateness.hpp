#pragma once
// When the run itself fell behind the scenario: a step that started late, a workload behind its
// schedule, a herd slow to start. What a check judges after that may be the machine's slowness,
// not the herd's: its premise broke, and it is unchecked (play/run_context.cpp).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace herd::sim {

struct Lateness {
    enum class Kind {
        step,      // a step with a time of its own (at_ms, after_ms) started past it
        workload,  // a workload sent a report past its due time
        start_up,  // the herd's start-up exchange took longer than expected
    };
    Kind kind = Kind::step;
    std::optional<std::size_t> step;  // the late step, or the workload's; none for the start-up
    double at_ms = 0;                 // since the recorder started, when it was noticed
    double behind_ms = 0;             // how far behind
    std::string detail;               // "steps[3] started 512 ms after its at_ms"
};
const char* lateness_kind_name(Lateness::Kind kind);  // "step", "workload", "start-up"

// How far behind the run may fall before a premise counts as broken. A step or a workload report
// more than `step` late: every expectation judged after it. A start-up longer than
// `start_up_base + start_up_per_node * N`: the speed gates (expect_latency, expect_recovery), whose
// bounds assume a machine no slower than that.
struct LateBounds {
    std::chrono::milliseconds step{100};
    std::chrono::milliseconds start_up_base{2000};
    std::chrono::microseconds start_up_per_node{10000};
    std::chrono::milliseconds start_up(std::size_t nodes) const {
        return start_up_base +
               std::chrono::duration_cast<std::chrono::milliseconds>(start_up_per_node * static_cast<long long>(nodes));
    }
};

}  // namespace herd::sim
