#pragma once
// Stretches of a run: named phases (from a phase step to the next one, or the end) and fault
// windows (from a fault's start to its end, one per fault). An update belongs to every span it was
// born in; each span is summarized over its own updates, and a fault that ended has its recovery.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "record/recorder.hpp"
#include "record/recovery.hpp"

namespace herd::sim {

// A named phase, since the run's start in ms.
struct Span {
    std::string name;
    double start_ms = 0;
    std::optional<double> end_ms;  // empty: until the end of the run
};

// Partitions over at most this many nodes are labelled by their names, bigger ones by group sizes.
constexpr std::size_t kNamedPartitionNodes = 8;

// A stretch of the run with a fault in force, shaded on the latency plot. Kept by its kind and
// subject: a node's crash ends at its restart, its pause at its resume, a link's cut at its heal,
// whatever the labels say.
struct FaultWindow {
    enum class Kind { crash, pause, cut, partition, delay, drop, stall };
    double start_ms = 0;
    std::optional<double> end_ms;  // empty: until the end of the run
    Kind kind = Kind::crash;
    // The node ("N3"), the link ("N1->N2", "N1<->N2", "every link") or the partition's groups ("[A B] [C]").
    std::string subject;
    std::size_t step = 0;          // the step that began it
    // A partition's groups in full (summary.json keeps them); its label gives only their sizes
    // when they name more than kNamedPartitionNodes nodes, so that a big herd's tables stay narrow.
    std::vector<std::vector<std::string>> groups;
    std::string label() const;     // "crash N3", "cut N1<->N2", "partition 12|13", ...
    std::string name() const { return "steps[" + std::to_string(step) + "]." + label(); }
};

// Born at or after the start, before the end: [start, end).
bool born_in(double start_ms, const std::optional<double>& end_ms, double born_ms);
Summary summarize_span(const Recorder& recorder, double start_ms, const std::optional<double>& end_ms);

struct SpanReport {
    std::string kind;  // "phase" or "fault"
    std::string name;  // the phase's, or the window's ("steps[3].crash Holiday")
    double start_ms = 0;
    std::optional<double> end_ms;
    Summary summary;                  // over the updates born in the span
    std::optional<Recovery> recovery = std::nullopt;  // a fault that ended
    // An update born in the span is held up by a later fault when a fault window began after its
    // birth and before its full coverage (or it is lost and one began after its birth): what that
    // fault did is not the span's. `own_coverage`: full coverage over the others (not lost).
    std::size_t held = 0;
    Quantiles own_coverage{};
};

// The updates among those `include` accepts that a fault window beginning after their birth held
// up (see SpanReport::held), and the full coverage of the rest.
struct HeldUp {
    std::size_t held = 0;
    Quantiles own_coverage;
};
HeldUp held_up(const Recorder& recorder, const Summary& summary, double start_ms, const std::optional<double>& end_ms,
               const std::vector<FaultWindow>& faults);

// Phases first, then fault windows, each in the order they began; fault i's recovery is recoveries.of(i).
std::vector<SpanReport> span_reports(const Recorder& recorder, const std::vector<Span>& phases,
                                     const std::vector<FaultWindow>& faults, const Recoveries& recoveries);
// The recovery of the fault that ended last (the later in the list on a tie); empty if none ended.
std::optional<Recovery> last_recovery(const std::vector<SpanReport>& spans);

// {"count", "p50", "p95", "p99", "max"}: null quantiles when there are no values.
nlohmann::ordered_json quantiles_json(const Quantiles& q);
// {"mean", "min", "max"} of messages per update: null when there is no update.
nlohmann::ordered_json messages_json(const MessageStats& m);
// A span's numbers as summary.json gives them (its "phases" and "faults" entries).
nlohmann::ordered_json span_json(const SpanReport& span);
nlohmann::ordered_json recovery_json(const std::optional<Recovery>& recovery);

}  // namespace herd::sim
