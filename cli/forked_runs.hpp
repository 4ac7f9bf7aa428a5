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

// Runs jobs 0..count-1, at most `at_once` at a time, each `child(job)` in a process of its own
// (its result text, or nullopt when it could not run). `ended` is called in the parent as each
// ends; no job starts once `stop()` is true (those running finish).
void run_forked(std::size_t count, std::size_t at_once, unsigned deadline_s,
                const std::function<std::optional<std::string>(std::size_t job)>& child,
                const std::function<void(const ForkedEnd&)>& ended, const std::function<bool()>& stop);

}  // namespace herdsim::cli
