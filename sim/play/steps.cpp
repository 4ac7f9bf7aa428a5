// Plays a step by the role its kind declares, and the one mark: a phase.
#include "play/steps.hpp"

#include <type_traits>

namespace herd::sim {

namespace {

// The fault windows an action declares, kept after it acted: what it ends first (a restart's
// crash, a new delay's old one), then what it opens.
void keep_windows(RunContext& run, const Step& step, FaultWindows windows, const std::optional<WindowKey>& key) {
    if (windows.ends) {
        if (key)
            run.end_fault(key->kind, key->subject);
        else
            run.end_link_faults();
    }
    if (windows.opens && key) run.open_fault(step, *key);
}

template <class Action>
void act_and_keep_windows(RunContext& run, const Step& step, const Action& action) {
    act(run, step, action);
    if constexpr (requires { action.windows(); }) keep_windows(run, step, action.windows(), window_of(action));
    run.last_change = std::chrono::steady_clock::now();
}

}  // namespace

void execute_step(RunContext& run, const Step& step) {
    std::visit(
        [&](const auto& s) {
            using Kind = std::decay_t<decltype(s)>;
            if constexpr (Kind::role == StepRole::action)
                act_and_keep_windows(run, step, s);
            else if constexpr (Kind::role == StepRole::mark)
                mark(run, step, s);
            else if constexpr (Kind::role == StepRole::wait)
                wait(run, step, s);
            else
                check(run, step, s);
        },
        step.action);
}

void mark(RunContext& run, const Step&, const PhaseStep& s) {
    run.begin_phase(s.name);
    run.recorder->note("phase", s.name);
}

}  // namespace herd::sim
