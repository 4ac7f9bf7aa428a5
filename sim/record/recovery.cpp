#include "record/recovery.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <utility>
#include <variant>

namespace herd::sim {

RecoveryWatch::RecoveryWatch(double ended_ms, RecoveryTargets targets, RecordsHeld held)
    : pending_(std::move(targets)), held_(std::move(held)) {
    recovery_.ended_ms = ended_ms;
    settle(ended_ms);
}

void RecoveryWatch::stored(std::string_view node, std::string_view client, Nanos time, double t_ms) {
    auto& records = held_[std::string(node)];
    const auto [record, fresh] = records.emplace(std::string(client), time);
    if (!fresh) record->second = std::max(record->second, time);
    const auto n = pending_.find(node);
    if (n == pending_.end()) return;
    const auto c = n->second.find(client);
    if (c == n->second.end() || time < c->second) return;
    n->second.erase(c);
    if (n->second.empty()) pending_.erase(n);
    settle(t_ms);
}

void RecoveryWatch::crashed(std::string_view node, double t_ms) {
    if (const auto n = pending_.find(node); n != pending_.end()) pending_.erase(n);
    if (const auto n = held_.find(node); n != held_.end()) held_.erase(n);
    const auto someone_holds = [&](const std::string& client, Nanos time) {
        return std::any_of(held_.begin(), held_.end(), [&](const auto& records) {
            const auto record = records.second.find(client);
            return record != records.second.end() && record->second >= time;
        });
    };
    for (auto n = pending_.begin(); n != pending_.end();) {
        std::erase_if(n->second, [&](const auto& pair) { return !someone_holds(pair.first, pair.second); });
        n = n->second.empty() ? pending_.erase(n) : std::next(n);
    }
    settle(t_ms);
}

void RecoveryWatch::settle(double t_ms) {
    if (pending_.empty() && !recovery_.recovered_ms) recovery_.recovered_ms = t_ms;
}

Recovery RecoveryWatch::result() const {
    Recovery r = recovery_;
    for (const auto& [node, clients] : pending_) {
        if (r.example.empty())
            r.example = node + " lacks " + clients.begin()->first + " (" + format_posix_time(clients.begin()->second) +
                        " or newer)";
        r.missing += clients.size();
    }
    return r;
}

std::optional<double> judged_from(const std::vector<WindowSpan>& windows, std::size_t i, std::optional<double> recovered_ms) {
    if (!windows.at(i).end_ms) return std::nullopt;
    const double recovered = recovered_ms.value_or(std::numeric_limits<double>::infinity());
    double from = *windows[i].end_ms;
    for (bool moved = true; moved;) {
        moved = false;
        for (std::size_t j = 0; j < windows.size(); ++j) {
            const auto& w = windows[j];
            if (j == i || w.start_ms >= recovered || (w.end_ms && *w.end_ms <= from)) continue;
            if (!w.end_ms) return std::nullopt;
            from = *w.end_ms;
            moved = true;
        }
    }
    return from;
}

void Recoveries::on_handled(std::string_view node, const Command& command, const Effects& effects, double t_ms) {
    if (effects.outcome != Effects::Outcome::stored) return;
    std::visit(
        [&](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, IAmAt> || std::is_same_v<T, At>) stored(node, c.client, c.time, t_ms);
        },
        command);
}

void Recoveries::watch(std::size_t window, RecoveryWatch w) {
    const auto heard = std::exchange(opening_, std::nullopt);
    if (heard)
        for (const Store& s : *heard) w.stored(s.node, s.client, s.time, s.t_ms);
    watches_.emplace(window, std::move(w));
}

void Recoveries::stored(std::string_view node, std::string_view client, Nanos time, double t_ms) {
    if (opening_) opening_->push_back({std::string(node), std::string(client), time, t_ms});
    for (auto& [_, w] : watches_) w.stored(node, client, time, t_ms);
}

void Recoveries::crashed(std::string_view node, double t_ms) {
    for (auto& [_, w] : watches_) w.crashed(node, t_ms);
}

std::optional<Recovery> Recoveries::of(std::size_t window) const {
    const auto it = watches_.find(window);
    if (it == watches_.end()) return std::nullopt;
    return it->second.result();
}

}  // namespace herd::sim
