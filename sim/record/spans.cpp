#include "record/spans.hpp"

#include <algorithm>

namespace herd::sim {

std::string FaultWindow::label() const {
    const char* what = "crash";
    switch (kind) {
        case Kind::crash: what = "crash"; break;
        case Kind::pause: what = "pause"; break;
        case Kind::cut: what = "cut"; break;
        case Kind::partition: what = "partition"; break;
        case Kind::delay: what = "delay"; break;
        case Kind::drop: what = "drop"; break;
        case Kind::stall: what = "stall"; break;
    }
    std::size_t nodes = 0;
    for (const auto& g : groups) nodes += g.size();
    if (nodes <= kNamedPartitionNodes) return std::string(what) + " " + subject;
    std::string sizes;
    for (const auto& g : groups) sizes += (sizes.empty() ? "" : "|") + std::to_string(g.size());
    return std::string(what) + " " + sizes;
}

bool born_in(double start_ms, const std::optional<double>& end_ms, double born_ms) {
    return born_ms >= start_ms && (!end_ms || born_ms < *end_ms);
}

Summary summarize_span(const Recorder& recorder, double start_ms, const std::optional<double>& end_ms) {
    return recorder.summarize(
        [&](const Recorder::Update& u) { return born_in(start_ms, end_ms, recorder.ms_since_start(u.born)); });
}

HeldUp held_up(const Recorder& recorder, const Summary& summary, double start_ms, const std::optional<double>& end_ms,
               const std::vector<FaultWindow>& faults) {
    HeldUp out;
    std::vector<double> own;
    std::size_t k = 0;  // summary.full_coverage_ms lists the span's updates in id order
    for (const auto& u : recorder.updates()) {
        const double born = recorder.ms_since_start(u.born);
        if (!born_in(start_ms, end_ms, born) || k >= summary.full_coverage_ms.size()) continue;
        const std::optional<double> coverage = summary.full_coverage_ms[k++];
        const bool held = std::any_of(faults.begin(), faults.end(), [&](const FaultWindow& f) {
            return f.start_ms > born && (!coverage || f.start_ms < born + *coverage);
        });
        if (held)
            ++out.held;
        else if (coverage)
            own.push_back(*coverage);
    }
    out.own_coverage = quantiles(std::move(own));
    return out;
}

std::vector<SpanReport> span_reports(const Recorder& recorder, const std::vector<Span>& phases,
                                     const std::vector<FaultWindow>& faults, const Recoveries& recoveries) {
    std::vector<SpanReport> out;
    const auto add = [&](std::string kind, std::string name, double start, std::optional<double> end,
                         std::optional<Recovery> recovery) {
        Summary summary = summarize_span(recorder, start, end);
        const HeldUp held = held_up(recorder, summary, start, end, faults);
        out.push_back({std::move(kind), std::move(name), start, end, std::move(summary), std::move(recovery), held.held,
                       held.own_coverage});
    };
    for (const auto& p : phases) add("phase", p.name, p.start_ms, p.end_ms, std::nullopt);
    for (std::size_t i = 0; i < faults.size(); ++i) add("fault", faults[i].name(), faults[i].start_ms, faults[i].end_ms, recoveries.of(i));
    return out;
}

std::optional<Recovery> last_recovery(const std::vector<SpanReport>& spans) {
    std::optional<Recovery> last;
    for (const auto& s : spans)
        if (s.recovery && (!last || s.recovery->ended_ms >= last->ended_ms)) last = s.recovery;
    return last;
}

nlohmann::ordered_json quantiles_json(const Quantiles& q) {
    nlohmann::ordered_json j;
    j["count"] = q.count;
    // No values: null rather than a 0 that reads like a measurement.
    const std::pair<const char*, double> values[] = {{"p50", q.p50}, {"p95", q.p95}, {"p99", q.p99}, {"max", q.max}};
    for (const auto& [name, value] : values)
        j[name] = q.count ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
    return j;
}

nlohmann::ordered_json messages_json(const MessageStats& m) {
    // No update: nothing was counted, and a 0 would read like a measurement.
    if (m.per_update.empty()) return {{"mean", nullptr}, {"min", nullptr}, {"max", nullptr}};
    return {{"mean", m.mean}, {"min", m.min}, {"max", m.max}};
}

nlohmann::ordered_json recovery_json(const std::optional<Recovery>& r) {
    using json = nlohmann::ordered_json;
    if (!r) return nullptr;
    const auto ms = r->recovery_ms();
    return {{"ended_ms", r->ended_ms},
            {"recovered_ms", r->recovered_ms ? json(*r->recovered_ms) : json(nullptr)},
            {"recovery_ms", ms ? json(*ms) : json(nullptr)},
            {"missing", r->missing},
            {"example", r->example}};
}

nlohmann::ordered_json span_json(const SpanReport& span) {
    using json = nlohmann::ordered_json;
    const Summary& s = span.summary;
    json j;
    j["name"] = span.name;
    j["start_ms"] = span.start_ms;
    j["end_ms"] = span.end_ms ? json(*span.end_ms) : json(nullptr);
    j["updates"] = s.updates;
    j["lost"] = s.lost.size();
    j["forgotten"] = s.forgotten.size();
    j["stale_reads"] = s.stale_reads;
    j["late_deliveries"] = {{"count", s.late.size()}, {"delay_ms", quantiles_json(s.late_delay)}};
    j["full_coverage_ms"] = quantiles_json(s.full_coverage);
    j["held_by_later_fault"] = span.held;
    j["own_full_coverage_ms"] = quantiles_json(span.own_coverage);
    json per_node = json::object();
    for (const auto& [node, q] : s.per_node) per_node[node] = quantiles_json(q);
    j["per_node_ms"] = per_node;
    j["messages_per_update"] = messages_json(s.messages);
    j["catch_up_per_update"] = messages_json(s.catch_up);
    if (span.kind == "fault") j["recovery"] = recovery_json(span.recovery);
    return j;
}

}  // namespace herd::sim
