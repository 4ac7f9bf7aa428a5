#include "bench_observer.hpp"

#include <variant>

namespace herd::bench {

std::string BenchObserver::key(std::string_view client, std::string_view time_text) {
    std::string k;
    k.reserve(client.size() + time_text.size() + 1);
    k += client;
    k += ' ';
    k += time_text;
    return k;
}

void BenchObserver::on_handled(std::string_view, const Command& command, const Effects& effects) {
    const bool stored = effects.outcome == Effects::Outcome::stored;
    if (const auto* iamat = std::get_if<IAmAt>(&command)) {
        if (!stored) return;
        ++iamat_stored;
        if (trace) {
            UpdateTrace& u = traces_[key(iamat->client, iamat->time_text)];
            u.born = u.last_store = Clock::now();
            ++u.stores;
        }
    } else if (const auto* at = std::get_if<At>(&command)) {
        ++at_handled;
        at_stored += stored;
        if (trace) {
            UpdateTrace& u = traces_[key(at->client, at->time_text)];
            ++u.messages;
            if (stored) {
                u.last_store = Clock::now();
                ++u.stores;
            }
        }
    } else if (effects.outcome == Effects::Outcome::query) {
        ++whatsat;
    } else if (effects.outcome == Effects::Outcome::catch_up) {
        ++catch_up_requests;
    }
}

void BenchObserver::on_peer_link(std::string_view, std::string_view, bool up) { ++(up ? links_up : links_down); }

void BenchObserver::on_peer_overflow(std::string_view, std::string_view, std::size_t count) { overflowed += count; }

const UpdateTrace* BenchObserver::find(std::string_view client, std::string_view time_text) const {
    auto it = traces_.find(key(client, time_text));
    return it == traces_.end() ? nullptr : &it->second;
}

}  // namespace herd::bench
