#include "record/recorder.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <type_traits>
#include <variant>

namespace herd::sim {

namespace {

// Milliseconds with microsecond precision: finer than that is clock noise on loopback.
double to_ms(std::chrono::steady_clock::duration d) {
    return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()) / 1000.0;
}

// The nearest-rank quantile (see Quantiles) of `sorted`, with `percent` in 1..100. Integer
// arithmetic, so p95 of 100 values is exactly the 95th.
double nearest_rank(const std::vector<double>& sorted, std::size_t percent) {
    const std::size_t rank = (percent * sorted.size() + 99) / 100;
    return sorted[std::max<std::size_t>(rank, 1) - 1];
}

Recorder::Delivery& delivery(Recorder::Update& u, std::size_t node) {
    if (u.deliveries.size() <= node) u.deliveries.resize(node + 1);
    return u.deliveries[node];
}

// min, max and mean of per_update.
void fill_stats(MessageStats& stats) {
    const auto& m = stats.per_update;
    if (m.empty()) return;
    const auto [lo, hi] = std::minmax_element(m.begin(), m.end());
    stats.min = *lo;
    stats.max = *hi;
    stats.mean = static_cast<double>(std::accumulate(m.begin(), m.end(), std::uint64_t{0})) / static_cast<double>(m.size());
}

}  // namespace

Quantiles quantiles(std::vector<double> values) {
    Quantiles q;
    q.count = values.size();
    if (values.empty()) return q;
    std::sort(values.begin(), values.end());
    q.p50 = nearest_rank(values, 50);
    q.p95 = nearest_rank(values, 95);
    q.p99 = nearest_rank(values, 99);
    q.max = values.back();
    return q;
}

Recorder::Recorder(std::vector<std::string> nodes, ClockFn clock)
    : clock_(clock ? std::move(clock) : ClockFn([] { return Clock::now(); })) {
    start_ = clock_();
    last_activity_ = start_;
    for (const auto& n : nodes) intern(n);
}

std::size_t Recorder::intern(std::string_view node) {
    if (auto it = node_index_.find(node); it != node_index_.end()) return it->second;
    nodes_.emplace_back(node);
    node_index_.emplace(nodes_.back(), nodes_.size() - 1);
    return nodes_.size() - 1;
}

std::optional<std::size_t> Recorder::node_index(std::string_view name) const {
    if (auto it = node_index_.find(name); it != node_index_.end()) return it->second;
    return std::nullopt;
}

double Recorder::ms_since_start(TimePoint t) const { return to_ms(t - start_); }

void Recorder::set_reachable(ReachableFn reachable) { reachable_ = std::move(reachable); }

void Recorder::set_peers(std::map<std::string, std::vector<std::string>, std::less<>> peers) { peers_ = std::move(peers); }

double Recorder::set_zero(TimePoint zero) {
    const double shift = to_ms(zero - start_);
    start_ = zero;
    for (auto& e : events_) e.t_ms -= shift;
    for (auto& r : stale_reads_) r.t_ms -= shift;
    return shift;
}

void Recorder::note(std::string kind, std::string detail, std::vector<std::string> nodes) {
    events_.push_back({ms_since_start(clock_()), std::move(kind), std::move(detail), std::move(nodes)});
}

void Recorder::on_peer_link(std::string_view node, std::string_view peer, bool up) {
    note(up ? "link_up" : "link_down", std::string(node) + "->" + std::string(peer),
         {std::string(node), std::string(peer)});
}

void Recorder::on_peer_overflow(std::string_view node, std::string_view peer, std::size_t count) {
    note("overflow", std::string(node) + "->" + std::string(peer) + " dropped " + std::to_string(count) + " lines",
         {std::string(node), std::string(peer)});
}

void Recorder::node_crashed(std::string_view node) {
    const auto index = node_index(node);
    if (!index) return;
    crashed_at_[*index] = clock_();
    for (auto& u : updates_) {
        const bool stored = *index < u.deliveries.size() && u.deliveries[*index].first_stored;
        if (!stored && *index < u.required.size()) u.required[*index] = 0;
    }
}

Recorder::Update* Recorder::find_update(std::string_view client, Nanos time) {
    const auto c = by_client_.find(client);
    if (c == by_client_.end()) return nullptr;
    const auto u = c->second.find(time);
    return u == c->second.end() ? nullptr : &updates_[u->second];
}

const Recorder::Update* Recorder::newest_update(std::string_view client) const {
    const auto c = by_client_.find(client);
    if (c == by_client_.end() || c->second.empty()) return nullptr;
    return &updates_[c->second.rbegin()->second];
}

void Recorder::on_handled(std::string_view node, const Command& command, const Effects& effects) {
    const TimePoint t = clock_();
    const std::size_t index = intern(node);
    std::visit(
        [&](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, IAmAt>) {
                if (effects.outcome == Effects::Outcome::stored) store(index, {c.client, c.time, c.time_text}, t);
            } else if constexpr (std::is_same_v<T, At>) {
                if (effects.outcome == Effects::Outcome::stored || effects.outcome == Effects::Outcome::stale)
                    flood(index, c.sender, {c.client, c.time, c.time_text}, effects.outcome == Effects::Outcome::stored, t);
            } else if constexpr (std::is_same_v<T, WhatsAt>) {
                if (effects.outcome == Effects::Outcome::query && effects.places) on_query(index, c, effects, t);
            }
        },
        command);
    flood_sent(index, effects);
}

void Recorder::flood_sent(std::size_t node, const Effects& effects) {
    if (peers_.empty() || effects.flood.empty() || effects.flood_to.empty()) return;
    const auto peers = peers_.find(nodes_[node]);
    if (peers == peers_.end()) return;
    const Command line = parse_line(effects.flood);
    const auto* at = std::get_if<At>(&line);
    const Update* u = at ? find_update(at->client, at->time) : nullptr;
    if (!u) return;
    for (std::size_t index : effects.flood_to)
        if (index < peers->second.size()) ++floods_in_flight_[{u->id, nodes_[node], peers->second[index]}];
}

void Recorder::stored(std::string_view node, const ClientReport& report) {
    const TimePoint t = clock_();
    store(intern(node), report, t);
}

void Recorder::flooded(std::string_view node, std::string_view sender, const ClientReport& report, bool fresh) {
    const TimePoint t = clock_();
    flood(intern(node), sender, report, fresh, t);
}

void Recorder::store(std::size_t node, const ClientReport& c, TimePoint t) {
    // A new report starts a flood: "quiet" is counted from here too.
    last_activity_ = t;
    // The same report stored again (by a node that restarted empty, or one that had not heard of it
    // yet) is not a new update: it is that node storing the existing one.
    if (Update* existing = find_update(c.client, c.time)) {
        auto& d = delivery(*existing, node);
        if (!d.first_stored) d.first_stored = t;
        d.last_stored = t;
        return;
    }
    Update u;
    u.id = updates_.size();
    u.client = c.client;
    u.client_time = c.time;
    u.client_time_text = c.time_text;
    u.origin = nodes_[node];
    u.born = t;
    if (reachable_) {
        std::vector<std::size_t> required{node};
        for (const auto& name : reachable_(u.origin)) required.push_back(intern(name));
        u.required.assign(nodes_.size(), 0);
        for (std::size_t r : required) u.required[r] = 1;
    } else {
        u.required.assign(nodes_.size(), 1);
    }
    u.deliveries.resize(nodes_.size());
    u.deliveries[node].first_stored = t;
    u.deliveries[node].last_stored = t;
    by_client_[u.client][u.client_time] = u.id;
    updates_.push_back(std::move(u));
    if (!early_.empty()) count_early_floods(updates_.back(), node, t);
}

bool Recorder::sent_as_flood(std::size_t update, std::string_view sender, const std::string& receiver) {
    if (peers_.empty() || !peers_.count(sender)) return true;  // sends not seen: nothing to tell apart
    const auto it = floods_in_flight_.find(std::tuple{update, std::string(sender), receiver});
    if (it == floods_in_flight_.end()) return false;
    if (--it->second == 0) floods_in_flight_.erase(it);
    return true;
}

void Recorder::flood(std::size_t node, std::string_view sender_field, const ClientReport& c, bool fresh, TimePoint t) {
    last_activity_ = t;
    const std::string_view sender = sender_field.empty() ? std::string_view("?") : sender_field;
    // find before emplace: the key is built as a std::string only for a link's first message.
    auto from = link_messages_.find(sender);
    if (from == link_messages_.end()) from = link_messages_.emplace(std::string(sender), LinkCounts{}).first;
    ++from->second[nodes_[node]];

    Update* u = find_update(c.client, c.time);
    if (!u) {
        // A server that floods before it answers can be heard before the client that births the
        // report at the reply: kept for the birth, within a bound.
        if (early_lines_ < max_early_lines) {
            early_[{std::string(c.client), c.time}].push_back({node, std::string(sender), fresh});
            ++early_lines_;
        } else {
            ++unmatched_messages_;
        }
        return;
    }
    count_flood(*u, node, sender, fresh, t);
}

void Recorder::count_flood(Update& u, std::size_t node, std::string_view sender, bool fresh, TimePoint t) {
    if (sent_as_flood(u.id, sender, nodes_[node]))
        ++u.messages;
    else
        ++u.catch_up;
    auto& d = delivery(u, node);
    ++d.messages;
    if (fresh) {
        if (!d.first_stored) d.first_stored = t;
        d.last_stored = t;
    } else {
        ++d.duplicates;
    }
}

// Flood lines heard before the birth: the nodes held it no later than the birth, so they store it
// then (never lost for being early); one back at the origin is a duplicate there.
void Recorder::count_early_floods(Update& u, std::size_t origin, TimePoint born) {
    const auto it = early_.find({u.client, u.client_time});
    if (it == early_.end()) return;
    for (const EarlyFlood& e : it->second) count_flood(u, e.node, e.sender, e.fresh && e.node != origin, born);
    early_lines_ -= it->second.size();
    early_.erase(it);
}

void Recorder::on_query(std::size_t node, const WhatsAt& c, const Effects& effects, TimePoint t) {
    const Command held = parse_line(effects.places->at_line);
    const auto* at = std::get_if<At>(&held);
    const Update* newest = newest_update(c.client);
    if (!at || !newest || at->time >= newest->client_time) return;
    stale_reads_.push_back({ms_since_start(t), nodes_[node], std::string(c.client), std::string(at->time_text),
                            newest->client_time_text, newest->id});
}

std::optional<Recorder::TimePoint> Recorder::first_newer_stored(const Update& u, std::size_t node) const {
    std::optional<TimePoint> first;
    const auto& times = by_client_.at(u.client);
    for (auto it = times.upper_bound(u.client_time); it != times.end(); ++it) {
        const Update& newer = updates_[it->second];
        if (node < newer.deliveries.size() && newer.deliveries[node].first_stored)
            first = first ? std::min(*first, *newer.deliveries[node].first_stored) : *newer.deliveries[node].first_stored;
    }
    return first;
}

bool Recorder::held_now(const Update& u) const {
    const auto& times = by_client_.at(u.client);
    for (auto it = times.lower_bound(u.client_time); it != times.end(); ++it) {
        const Update& v = updates_[it->second];
        for (std::size_t i = 0; i < v.deliveries.size(); ++i) {
            const auto& stored = v.deliveries[i].last_stored;
            const auto crash = crashed_at_.find(i);
            if (stored && (crash == crashed_at_.end() || *stored > crash->second)) return true;
        }
    }
    return false;
}

Summary Recorder::summarize(const UpdateFilter& include) const {
    Summary s;
    s.duration_ms = ms_since_start(clock_());
    s.stale_reads = static_cast<std::size_t>(std::count_if(stale_reads_.begin(), stale_reads_.end(), [&](const StaleRead& r) {
        return !include || include(updates_[r.newest_update]);
    }));
    s.unmatched_messages = unmatched_messages_ + early_lines_;

    std::vector<double> coverage;
    std::vector<std::vector<double>> per_node(nodes_.size());
    std::vector<std::uint64_t> duplicates(nodes_.size(), 0);
    std::vector<double> late;
    for (const auto& u : updates_) {
        if (include && !include(u)) continue;
        ++s.updates;
        const std::size_t origin = *node_index(u.origin);
        double worst = 0;
        LostUpdate lost{u.id, u.client, u.client_time_text, u.origin, {}};
        OvertakenUpdate overtaken{u.id, u.client, u.client_time_text, u.origin, {}, u.messages};
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            const Delivery* d = i < u.deliveries.size() ? &u.deliveries[i] : nullptr;
            const bool required = i < u.required.size() && u.required[i];
            if (d) duplicates[i] += d->duplicates;
            if (d && !d->first_stored && d->duplicates > 0 && first_newer_stored(u, i)) overtaken.at.push_back(nodes_[i]);
            if (d && d->first_stored) {
                const double latency = to_ms(*d->first_stored - u.born);
                if (i != origin) per_node[i].push_back(latency);
                if (required) worst = std::max(worst, latency);
                if (!required && i != origin) {
                    s.late.push_back({u.id, nodes_[i], latency});
                    late.push_back(latency);
                }
            } else if (required) {
                // A node that already held a newer report for the client rightly drops this one:
                // it is covered from the moment it held the newer one.
                if (auto newer = first_newer_stored(u, i))
                    worst = std::max(worst, std::max(0.0, to_ms(*newer - u.born)));
                else
                    lost.missing.push_back(nodes_[i]);
            }
        }
        if (lost.missing.empty()) {
            s.full_coverage_ms.push_back(worst);
            coverage.push_back(worst);
        } else {
            std::sort(lost.missing.begin(), lost.missing.end());
            s.full_coverage_ms.push_back(std::nullopt);
            (held_now(u) ? s.lost : s.forgotten).push_back(std::move(lost));
        }
        s.messages.per_update.push_back(u.messages);
        s.messages.update_ids.push_back(u.id);
        if (!overtaken.at.empty()) {
            std::sort(overtaken.at.begin(), overtaken.at.end());
            s.messages.overtaken.push_back(std::move(overtaken));
        }
        s.catch_up.per_update.push_back(u.catch_up);
    }
    s.full_coverage = quantiles(std::move(coverage));
    s.late_delay = quantiles(std::move(late));
    std::sort(s.late.begin(), s.late.end(),
              [](const LateDelivery& a, const LateDelivery& b) { return std::tie(a.id, a.node) < std::tie(b.id, b.node); });
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        s.per_node[nodes_[i]] = quantiles(std::move(per_node[i]));
        s.duplicates_per_node[nodes_[i]] = duplicates[i];
    }
    fill_stats(s.messages);
    fill_stats(s.catch_up);
    for (const auto& [from, tos] : link_messages_)
        for (const auto& [to, count] : tos) s.link_messages[{from, to}] = count;
    return s;
}

}  // namespace herd::sim
