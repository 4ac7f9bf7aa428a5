#include "record/recovery.hpp"

#include <type_traits>
#include <variant>

namespace herd::sim {

RecoveryWatch::RecoveryWatch(double ended_ms, RecoveryTargets targets) : pending_(std::move(targets)) {
    recovery_.ended_ms = ended_ms;
    settle(ended_ms);
}

void RecoveryWatch::stored(std::string_view node, std::string_view client, Nanos time, double t_ms) {
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

void Recoveries::on_handled(std::string_view node, const Command& command, const Effects& effects, double t_ms) {
    if (effects.outcome != Effects::Outcome::stored) return;
    std::visit(
        [&](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, IAmAt> || std::is_same_v<T, At>) stored(node, c.client, c.time, t_ms);
        },
        command);
}

void Recoveries::stored(std::string_view node, std::string_view client, Nanos time, double t_ms) {
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
