#pragma once
// Runs in processes of their own, a few at a time: a chaos seed or a shrink candidate plays a whole
// herd, and one that hangs or crashes must not take the sweep with it. Each child is forked before
// any herd runs in the parent, hands its result back through a pipe as text, and is killed by its
// alarm when it has not ended within the deadline (a hang is a finding, and the rest go on).
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace herdsim::cli {

struct ForkedEnd {
    std::size_t job = 0;
    std::optional<std::string> text;  // what the child handed back; none when it hung or could not run
    bool hung = false;                // killed at its deadline
};

// Runs jobs, at most `at_once` at a time, each `child(job)` in a process of its own (its result
// text, or nullopt when it could not run). Whenever a slot is free, `next()` names the job to start
// there, or none for now: it is asked again after each end, so what runs next may depend on what
// ended. It returns once nothing runs and `next()` names nothing. `ended` is called in the parent as
// each job ends.
void run_forked(std::size_t at_once, unsigned deadline_s, const std::function<std::optional<std::size_t>()>& next,
                const std::function<std::optional<std::string>(std::size_t job)>& child,
                const std::function<void(const ForkedEnd&)>& ended);

}  // namespace herdsim::cli
