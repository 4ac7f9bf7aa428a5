#pragma once
// The steps of a scenario as the runner plays them, one function per kind, grouped by the role
// each kind declares (scenario.hpp): actions (faults.cpp: node and link faults; send.cpp;
// workload.cpp; steps.cpp: the mock's rules), the mark (steps.cpp: a phase), waits and checks
// (checks.cpp). execute_step dispatches on the role and keeps the fault windows each action
// declares, so an action only acts.
#include <optional>
#include <string>

#include "play/run_context.hpp"
#include "scenario/scenario.hpp"

namespace herd::sim {

// Plays one step: acts (then ends and opens the fault windows it declares, and counts "quiet" from
// now), marks, waits, or checks (adding verdicts).
void execute_step(RunContext& run, const Step& step);

// ---- actions ------------------------------------------------------------------------------

// How the scenario's `links` delay varies: at the start, and again at every heal_all.
DelayDistribution default_distribution(const RunContext& run);

void act(RunContext& run, const Step& step, const CrashStep& crash);
void act(RunContext& run, const Step& step, const RestartStep& restart);
void act(RunContext& run, const Step& step, const PauseStep& pause);
void act(RunContext& run, const Step& step, const CutStep& cut);
void act(RunContext& run, const Step& step, const HealStep& heal);
void act(RunContext& run, const Step& step, const PartitionStep& partition);
void act(RunContext& run, const Step& step, const HealAllStep& heal_all);
void act(RunContext& run, const Step& step, const DelayStep& delay);
void act(RunContext& run, const Step& step, const DropStep& drop);
void act(RunContext& run, const Step& step, const ResetAfterStep& reset);
void act(RunContext& run, const Step& step, const StallStep& stall);
void act(RunContext& run, const Step& step, const PlacesStep& places);
// Writes the line and reads its reply: before the step ends, or in the background with wait_reply
// false (counted in run.pending_replies until judged).
void act(RunContext& run, const Step& step, const SendStep& send);
// Starts a workload in the background; it counts itself in run.active_workloads while it lasts.
void act(RunContext& run, const Step& step, const WorkloadStep& workload);

// The window a fault step opens or ends: its kind and subject (node, link or groups). None for a
// heal_all: it ends every window but the crashes and pauses.
struct WindowKey {
    FaultWindow::Kind kind;
    std::string subject;
    std::vector<std::vector<std::string>> groups = {};  // a partition's, in full
};
std::optional<WindowKey> window_of(const CrashStep& crash);
std::optional<WindowKey> window_of(const RestartStep& restart);
std::optional<WindowKey> window_of(const PauseStep& pause);
std::optional<WindowKey> window_of(const CutStep& cut);
std::optional<WindowKey> window_of(const HealStep& heal);
std::optional<WindowKey> window_of(const PartitionStep& partition);
std::optional<WindowKey> window_of(const HealAllStep& heal_all);
std::optional<WindowKey> window_of(const DelayStep& delay);
std::optional<WindowKey> window_of(const DropStep& drop);
std::optional<WindowKey> window_of(const StallStep& stall);

// ---- the mark, waits and checks -----------------------------------------------------------

void mark(RunContext& run, const Step& step, const PhaseStep& phase);

void wait(RunContext& run, const Step& step, const WaitStep& wait);
void wait(RunContext& run, const Step& step, const WaitQuietStep& quiet);

void check(RunContext& run, const Step& step, const ExpectKnowsStep& knows);
void check(RunContext& run, const Step& step, const ExpectConvergedStep& converged);
void check(RunContext& run, const Step& step, const ExpectLatencyStep& latency);
void check(RunContext& run, const Step& step, const ExpectMessagesStep& messages);
void check(RunContext& run, const Step& step, const ExpectLostStep& lost);
void check(RunContext& run, const Step& step, const ExpectRecoveryStep& recovery);

}  // namespace herd::sim
