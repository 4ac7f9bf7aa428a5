#include "grade/suite.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "grade/course_client.hpp"
#include "grade/outcome.hpp"
#include "grade/timeline.hpp"
#include "protocol/reply_text.hpp"

namespace herd::sim::grade {

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::ordered_json;

constexpr auto persistent_timeout = std::chrono::milliseconds(2000);
// The extras under faults: how long an update may take to reach a server, and how often a server is
// asked whether it has (a WHATSAT, as the course's client asks).
constexpr auto reach_limit = std::chrono::milliseconds(5000);
constexpr auto poll_gap = std::chrono::milliseconds(20);
constexpr auto max_gap = std::chrono::milliseconds(1000);

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    std::istringstream in{std::string(text)};
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::string first_line(const std::string& reply) { return reply.substr(0, reply.find('\n')); }

std::string rest_after_first_line(const std::string& reply) {
    const auto newline = reply.find('\n');
    return newline == std::string::npos ? "" : reply.substr(newline + 1);
}

long long wall_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string time_text(long long ns) {
    char text[40];
    std::snprintf(text, sizeof text, "%lld.%09lld", ns / 1'000'000'000, ns % 1'000'000'000);
    return text;
}


// One shell line that sends `line` as the course's client does and prints the reply's bytes.
std::string repro(std::uint16_t port, const std::string& line) {
    const bool newline = !line.empty() && line.back() == '\n';
    return std::string("printf ") + (newline ? "'%s\\n' " : "%s ") +
           shell_quote(newline ? line.substr(0, line.size() - 1) : line) +
           " | python3 -c 'import socket,sys; s=socket.create_connection((\"127.0.0.1\"," + std::to_string(port) +
           ")); s.sendall(sys.stdin.buffer.read()); s.shutdown(1); print(repr(s.recv(1000000)))'";
}

// Whether a Places answer is the mock's, cut to `bound` results, in the legacy shape or the new one.
bool same_places(const std::string& text, const Json& legacy, const Json& places_new, int bound) {
    const Json got = Json::parse(text, nullptr, false);
    if (got.is_discarded()) return false;
    auto cut = [bound](Json answer, const char* key) {
        if (answer.contains(key) && answer[key].is_array() && answer[key].size() > static_cast<std::size_t>(bound))
            answer[key].erase(answer[key].begin() + bound, answer[key].end());
        return answer;
    };
    return got == cut(legacy, "results") || got == cut(places_new, "places");
}

// A legacy Nearby Search answer in the Places API (New) shape, as the mock gives it (only the
// places' count and order matter for the comparison with a server's answer; the fields are the mock's).
Json as_places_new(const Json& legacy) {
    Json places = Json::array();
    for (const auto& r : legacy.value("results", Json::array())) {
        Json place = Json::object();
        if (r.contains("place_id")) place["id"] = r["place_id"];
        if (r.contains("name")) place["displayName"] = {{"text", r["name"]}};
        if (r.contains("vicinity")) place["formattedAddress"] = r["vicinity"];
        if (r.contains("geometry") && r["geometry"].contains("location"))
            place["location"] = {{"latitude", r["geometry"]["location"].value("lat", 0.0)},
                                 {"longitude", r["geometry"]["location"].value("lng", 0.0)}};
        if (r.contains("types")) place["types"] = r["types"];
        if (r.contains("rating")) place["rating"] = r["rating"];
        if (r.contains("user_ratings_total")) place["userRatingCount"] = r["user_ratings_total"];
        places.push_back(place);
    }
    return {{"places", places}};
}

struct Iamat {
    Exchange exchange;
    bool ok = false;
    std::string at_line;  // the reply's first line, when ok
    std::string server;   // where it was sent
    // Why no reply that depends on it can be right, when not ok.
    std::string why = " (the IAMAT that should have made it went wrong, so no reply can be right)";
};

class Grader {
public:
    Grader(StudentHerd& herd, const SuiteOptions& options)
        : herd_(herd), options_(options), legacy_(Json::parse(options.places_body)), places_new_(as_places_new(legacy_)) {
        for (const auto& s : herd.herd().servers) names_.push_back(s.name);
        log_.start = options.start;
        log_.servers = names_;
    }

    // A request as the course's client sends it, kept for the timeline under `track`.
    Exchange ask(const std::string& track, const std::string& name, const std::string& line,
                 std::chrono::milliseconds timeout = course_timeout) {
        Exchange exchange = course_request(herd_.port(name), line, timeout);
        log_.asked.push_back({results_.size(), track.substr(0, track.find(" (")), name, exchange});
        return exchange;
    }

    // A server started, stopped or faulted, kept for the timeline. Its relays refuse while it is down.
    void act(const std::string& what, const std::string& name) {
        log_.events.push_back({Clock::now(), name, what});
        auto relays_up = [&](bool up) {
            if (options_.links) options_.links->set_up(name, up);
        };
        if (what == "start") {
            relays_up(true);
            herd_.start(name);
        } else if (what == "stop" || what == "crash") {
            what == "stop" ? herd_.stop(name) : herd_.crash(name);
            relays_up(false);
        } else if (what == "pause") herd_.pause(name);
        else herd_.resume(name);
    }

    // Both directions of the link a-b cut, or healed; kept for the timeline.
    void link(const std::string& what, const std::string& a, const std::string& b) {
        log_.events.push_back({Clock::now(), a, what, b});
        what == "cut" ? options_.links->cut(a, b) : options_.links->heal(a, b);
    }

    SuiteRun run() {
        for (const auto& name : names_) act("start", name);
        test1();
        test2();
        test3();
        faults();
        herd_.kill_all();
        FloodDiagram flood;
        if (options_.links) flood = flood_diagram(options_.links->delivered(), reported_, log_);
        return {std::move(results_), timeline_svg(log_), std::move(flood)};
    }

private:
    void add(TestResult result) {
        log_.judged.push_back({Clock::now(), result.name, result.passed(), result.output});
        options_.progress(result);
        results_.push_back(std::move(result));
    }

    // `measured`: what a passed check's output says.
    void check(bool course, std::string name, double points, bool ok, const std::string& expected,
               const Exchange& exchange, std::uint16_t port, const std::string& measured = "") {
        TestResult r{(course ? "course: " : "extra: ") + std::move(name), course, ok ? points : 0, points, measured, ""};
        if (!ok) {
            r.output = "expected " + expected + "; " + describe(exchange, options_.start);
            r.repro = repro(port, exchange.sent);
        }
        add(std::move(r));
    }

    // `scored`: the course's points for the reply; `byte_extra`: the extra for its bytes.
    Iamat iamat(const std::string& test, const std::string& name, const std::string& client, const std::string& coords,
                bool scored, bool byte_extra = true) {
        const long long client_ns = wall_ns();
        const std::string client_time = time_text(client_ns);
        const std::string line = "IAMAT " + client + " " + coords + " " + client_time + "\n";
        const std::uint16_t port = herd_.port(name);
        Iamat out{ask(test, name, line), false, "", name};
        reported_.push_back({out.exchange.sent_at, name, client, client_time});
        const long long received_ns = wall_ns();
        const auto got = words(out.exchange.got);
        if (got.size() == 6 && got[0] == "AT" && got[1] == name && got[3] == client && got[4] == coords && got[5] == client_time) {
            char* end = nullptr;
            const double difference = std::strtod(got[2].c_str(), &end);
            // The server's receive time minus the client's: between sending and the reply.
            out.ok = end && *end == '\0' && difference >= -0.01 &&
                     difference <= static_cast<double>(received_ns - client_ns) / 1e9 + 0.01;
        }
        if (out.ok) out.at_line = first_line(out.exchange.got);
        const std::string expected = "\"AT " + name + " <difference> " + client + " " + coords + " " + client_time +
                                     "\" (the difference, the server's time minus the client's, between 0 and the reply)";
        if (scored) check(true, test + ": IAMAT at " + name + " answers with its AT line", 2, out.ok, expected, out.exchange, port);
        if (!byte_extra) return out;
        // The bytes exactly: a signed difference with nine decimals, one "\n".
        const std::regex exact("AT " + name + " [+-][0-9]+\\.[0-9]{9} " + std::regex_replace(client, std::regex("\\."), "\\.") +
                               " " + std::regex_replace(coords, std::regex("[.+]"), "\\$&") + " " + client_time + "\n");
        check(false, test + ": IAMAT at " + name + ": the reply byte for byte (a nine-decimal signed difference, one newline)", 1,
              std::regex_match(out.exchange.got, exact), expected + " with a nine-decimal difference and one newline", out.exchange,
              port);
        return out;
    }

    // A WHATSAT the course scores twice: its first line is the origin's AT line, and the rest is
    // the Places answer cut to `bound`.
    void whatsat(const std::string& test, const std::string& name, const std::string& client, int radius, int bound,
                 const Iamat& origin, double points, bool exact_extra) {
        const std::string line = "WHATSAT " + client + " " + std::to_string(radius) + " " + std::to_string(bound) + "\n";
        const std::uint16_t port = herd_.port(name);
        const Flooded asked = until_flooded(test, name, line, origin);
        const Exchange& exchange = asked.exchange;
        const std::string why = origin.ok ? "" : origin.why;
        check(true, test + ": WHATSAT at " + name + ": first line", points, knows(exchange, origin),
              "\"" + origin.at_line + "\" as its first line" + why + asked.waited, exchange, port, asked.late);
        const bool rest_ok = origin.ok && same_places(rest_after_first_line(exchange.got), legacy_, places_new_, bound);
        check(true, test + ": WHATSAT at " + name + ": then the Places answer", points, rest_ok,
              "the Places answer with at most " + std::to_string(bound) + " results, as JSON" + why, exchange, port);
        if (!exact_extra) return;
        Json cut = legacy_;
        if (cut["results"].size() > static_cast<std::size_t>(bound)) cut["results"].erase(cut["results"].begin() + bound, cut["results"].end());
        const std::string exact = origin.at_line + "\n" + cut.dump(3) + "\n\n";
        check(false, test + ": WHATSAT at " + name + ": the reply byte for byte (JSON indented by 3, a blank line at the end)", 1,
              origin.ok && exchange.got == exact, "\"" + show_reply(exact) + "\"" + why, exchange, port);
    }

    static bool knows(const Exchange& exchange, const Iamat& origin) {
        return origin.ok && words(first_line(exchange.got)) == words(origin.at_line);
    }

    // The course's scripts ask a server about an update right after its origin answered (and, with
    // Google's Places latency, about 0.1 s later): the flood is there by then on the course's machine,
    // but on a loaded one it may not be yet. So a server that does not know the update yet is asked
    // again (20 ms, then twice as long each time, 1 s at most) until it does or the course's client
    // timeout has passed since the origin's reply. A herd that let that timeout pass once is judged
    // at the scripts' own timing from then on.
    struct Flooded {
        Exchange exchange;  // the last ask
        std::string late;   // for a pass: when the flood came, if it was asked again
        std::string waited; // for a failure: how long it was asked, or why not again
    };
    Flooded until_flooded(const std::string& test, const std::string& name, const std::string& line, const Iamat& origin) {
        Flooded out{ask(test, name, line), "", ""};
        if (!origin.ok || name == origin.server || knows(out.exchange, origin)) return out;
        if (!flood_lost_.empty()) {
            out.waited = " (not asked again: " + flood_lost_ + ")";
            return out;
        }
        const auto deadline = origin.exchange.ended_at + course_timeout;
        int asks = 1;
        for (auto gap = poll_gap; !knows(out.exchange, origin) && Clock::now() + gap < deadline; gap = std::min(2 * gap, max_gap)) {
            std::this_thread::sleep_for(gap);
            out.exchange = ask(test, name, line);
            ++asks;
        }
        const std::string after = points(std::round(
            std::chrono::duration<double, std::milli>(out.exchange.ended_at - origin.exchange.ended_at).count())) + " ms after " +
            origin.server + "'s reply";
        if (knows(out.exchange, origin)) {
            out.late = "the flood came late: " + name + " knew it at ask " + std::to_string(asks) + ", " + after;
            return out;
        }
        flood_lost_ = "an earlier update never reached " + name + " within " + std::to_string(course_timeout.count() / 1000) + " s";
        out.waited = " (asked " + std::to_string(asks) + " times, until " + after + ")";
        return out;
    }

    void invalid(const std::string& test, const std::string& name, const std::string& line, double points) {
        const std::uint16_t port = herd_.port(name);
        const Exchange exchange = ask(test, name, line);
        std::string got = exchange.got;
        while (!got.empty() && (got.back() == '\n' || got.back() == '\r' || got.back() == ' ')) got.pop_back();
        const std::string want = "? " + line;
        check(true, test + ": " + name + " answers \"" + line + "\" with \"? \" and the line", points, got == want,
              "\"" + want + "\"", exchange, port);
        check(false, test + ": " + name + " answers \"" + line + "\" byte for byte", 1, exchange.got == want + "\n",
              "\"" + show_reply(want + "\n") + "\"", exchange, port);
    }

    void test1() {
        const std::string client = "kiwi.cs.ucla.edu";
        const Iamat origin = iamat("Test 1", names_.front(), client, "+34.068930-118.445127", true);
        for (const auto& name : names_) whatsat("Test 1", name, client, 10, 5, origin, 2, true);
        persistent(names_.front());
    }

    // Whether a flood from `a` reaches `b` through `alive` servers only, and not over the link `cut`.
    bool connected(const std::set<std::string>& alive, const std::string& a, const std::string& b,
                   const std::pair<std::string, std::string>& cut = {}) const {
        std::set<std::string> seen{a};
        std::vector<std::string> todo{a};
        while (!todo.empty()) {
            const std::string node = todo.back();
            todo.pop_back();
            for (const auto& next : herd_.herd().neighbours(node))
                if (alive.count(next) && std::pair{node, next} != cut && std::pair{next, node} != cut && seen.insert(next).second)
                    todo.push_back(next);
        }
        return seen.count(b) > 0;
    }

    void stop(const std::string& test, const std::string& name, std::set<std::string>& alive) {
        act("stop", name);
        alive.erase(name);
        std::string down;
        for (const auto& other : alive)
            if (!accepts(herd_.port(other))) down += (down.empty() ? "" : ", ") + other;
        add({"course: " + test + ": stopping " + name + " leaves the others running", true, down.empty() ? 1.0 : 0.0, 1,
             down.empty() ? "" : "not accepting connections any more: " + down, ""});
    }

    void test2() {
        int number = 0;
        for (std::size_t i = 0; i < names_.size(); ++i)
            for (std::size_t j = i + 1; j < names_.size(); ++j) {
                const std::string test = "Test 2 (" + names_[i] + " and " + names_[j] + " stopped)";
                std::set<std::string> alive(names_.begin(), names_.end());
                stop(test, names_[i], alive);
                stop(test, names_[j], alive);
                if (alive.empty()) {
                    act("start", names_[i]);
                    act("start", names_[j]);
                    continue;
                }
                const std::string origin_name = *std::min_element(alive.begin(), alive.end(), [&](const auto& a, const auto& b) {
                    return herd_.port(a) < herd_.port(b);
                });
                const std::string client = "client" + std::to_string(++number) + ".cs.ucla.edu";
                Iamat origin = iamat(test, origin_name, client, "+37.551379+126.993287", false);
                // As the w20 script: the origin's own WHATSAT first, what the others are compared with.
                const Exchange own = ask(test, origin_name, "WHATSAT " + client + " 20 10\n");
                if (origin.ok && !(words(first_line(own.got)) == words(origin.at_line) &&
                                   same_places(rest_after_first_line(own.got), legacy_, places_new_, 10))) {
                    origin.ok = false;
                    origin.why = " (the origin " + origin_name + " answered its own WHATSAT wrong, so no reply can be right: " +
                                 describe(own, options_.start) + ")";
                }
                for (const auto& name : names_) {
                    if (!alive.count(name) || name == origin_name) continue;
                    if (connected(alive, origin_name, name)) whatsat(test, name, client, 20, 10, origin, 1, false);
                    else invalid(test, name, "WHATSAT " + client + " 20 10", 1);
                }
                act("start", names_[i]);
                act("start", names_[j]);
            }
    }

    void test3() {
        for (const auto& line : {"IAMAT kiwi.cs.ucla.edu +34.068930-118.445127", "WHATSAT nobody.cs.ucla.edu 10 5",
                                 "WHATSAT kiwi.cs.ucla.edu 51 21"})
            invalid("Test 3", names_.back(), line, 2);
    }

    // Two lines on one connection, no half-close: a persistent client's framing.
    void persistent(const std::string& name) {
        const std::uint16_t port = herd_.port(name);
        const std::string client = "persistent.cs.ucla.edu";
        const KeptOpen kept = persistent_requests(port, "IAMAT " + client + " +34.068930-118.445127 " + time_text(wall_ns()) + "\n",
                                                  "WHATSAT " + client + " 10 1\n", persistent_timeout);
        const bool ok = kept.first.got.starts_with("AT ") && kept.second.got.starts_with("AT ");
        TestResult r{"extra: Test 1: " + name + " answers an IAMAT and then a WHATSAT on one connection, without a half-close",
                     false, ok ? 1.0 : 0.0, 1, "", ""};
        if (!ok)
            r.output = "expected an AT line for each, each within 2 s; " + describe(kept.first, options_.start) +
                       (kept.second.sent.empty() ? "" : "; then " + describe(kept.second, options_.start));
        add(std::move(r));
    }

    // How long after `since` each of `servers` first answered a WHATSAT for `origin`'s client with
    // its AT line, polled until `deadline`; a server that had not by then is missing, with its last reply.
    struct Reach {
        std::map<std::string, double> ms;
        std::map<std::string, Exchange> missing;
    };
    Reach reach(const std::set<std::string>& servers, const std::string& client, const Iamat& origin,
                Clock::time_point since, Clock::time_point deadline) {
        Reach out;
        std::set<std::string> left = servers;
        while (!left.empty()) {
            for (auto it = left.begin(); it != left.end();) {
                // At least long enough for a reply that shows what the server holds.
                const auto timeout = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()),
                                              std::chrono::milliseconds(500));
                const Exchange poll = ask("faults", *it, "WHATSAT " + client + " 10 1\n", timeout);
                if (origin.ok && words(first_line(poll.got)) == words(origin.at_line)) {
                    out.ms[*it] = std::chrono::duration<double, std::milli>(poll.ended_at - since).count();
                    out.missing.erase(*it);
                    it = left.erase(it);
                } else {
                    out.missing.insert_or_assign(*it, poll);
                    ++it;
                }
            }
            if (left.empty() || Clock::now() >= deadline) break;
            std::this_thread::sleep_for(poll_gap);
        }
        return out;
    }

    // "every one knew X; first seen ... Bernard 12 ms, Jaquez 30 ms"; or what the first server it missed answered.
    std::string reach_text(const Reach& r, const std::string& client) const {
        std::string text;
        for (const auto& [name, ms] : r.ms) text += (text.empty() ? "" : ", ") + name + " " + points(std::round(ms)) + " ms";
        if (r.missing.empty())
            return "every one knew " + client + "; first seen at each (polled in turn, every 20 ms; from the reply): " + text;
        const auto& [name, poll] = *r.missing.begin();
        std::string absent;
        for (const auto& [missing, e] : r.missing) absent += (absent.empty() ? "" : ", ") + missing;
        return "not known within " + std::to_string(reach_limit.count()) + " ms at " + absent + "; " + name +
               "'s last answer: " + describe(poll, options_.start) + (text.empty() ? "" : "; known at " + text);
    }

    void fault_extra(const std::string& name, const Reach& reached, const std::string& client, const std::string& before) {
        const bool ok = reached.missing.empty();
        add({"extra: faults: " + name, false, ok ? 1.0 : 0.0, 1, before + reach_text(reached, client), ""});
    }

    // The servers `from` reaches through servers of `alive` only (itself too), not over the link `cut`.
    std::set<std::string> joined(const std::set<std::string>& alive, const std::string& from,
                                 const std::pair<std::string, std::string>& cut = {}) const {
        std::set<std::string> out;
        for (const auto& name : alive)
            if (connected(alive, from, name, cut)) out.insert(name);
        return out;
    }

    // Extras under faults, where the links allow: how fast an update reaches every server, after a
    // server was killed and restarted, and while a neighbour is paused. Links are the servers' own
    // (the term's hard-coded ports), so no link is cut here.
    void faults() {
        const std::string origin_name = names_.front();
        const std::set<std::string> all(names_.begin(), names_.end());
        {
            const std::string client = "latency.cs.ucla.edu";
            const Iamat origin = iamat("faults", origin_name, client, "+34.068930-118.445127", false, false);
            const auto since = origin.exchange.ended_at;
            fault_extra("an IAMAT at " + origin_name + " reaches every server within " + std::to_string(reach_limit.count()) + " ms",
                        reach(all, client, origin, since, since + reach_limit), client, origin.ok ? "" : "the IAMAT went wrong; ");
        }
        const auto neighbours = herd_.herd().neighbours(origin_name);
        if (names_.size() < 2 || neighbours.empty()) return;
        {
            const std::string victim = names_.back() == origin_name ? names_[1] : names_.back();
            const auto killed = Clock::now();
            act("crash", victim);
            act("start", victim);
            const double down_ms = std::chrono::duration<double, std::milli>(Clock::now() - killed).count();
            const std::string client = "restart.cs.ucla.edu";
            const Iamat origin = iamat("faults", origin_name, client, "+34.068930-118.445127", false, false);
            const auto since = origin.exchange.ended_at;
            fault_extra(victim + " killed (SIGKILL) and restarted: an IAMAT at " + origin_name + " then reaches every server",
                        reach(all, client, origin, since, since + reach_limit), client,
                        victim + " accepting again " + points(std::round(down_ms)) + " ms after the kill; ");
        }
        {
            const std::string paused = neighbours.front();
            std::set<std::string> running = all;
            running.erase(paused);
            const std::set<std::string> during = joined(running, origin_name);
            act("pause", paused);
            // Two updates: a server that floods one at a time and waits on the paused neighbour holds
            // up the second one, whichever neighbour it flooded first.
            const Iamat first = iamat("faults", origin_name, "pause-1.cs.ucla.edu", "+34.068930-118.445127", false, false);
            const Iamat second = iamat("faults", origin_name, "pause-2.cs.ucla.edu", "+34.068930-118.445127", false, false);
            const auto since = second.exchange.ended_at;
            Reach reached = reach(during, "pause-1.cs.ucla.edu", first, since, since + reach_limit);
            const Reach reached_second = reach(during, "pause-2.cs.ucla.edu", second, since, since + reach_limit);
            act("resume", paused);
            const auto resumed = Clock::now();
            const Reach after = reach({paused}, "pause-2.cs.ucla.edu", second, resumed, resumed + reach_limit);
            const std::string name = paused + " paused (SIGSTOP): two IAMATs at " + origin_name +
                                     " reach every running server joined to it, and " + paused + " once it continues (SIGCONT)";
            if (!reached.missing.empty()) return fault_extra(name, reached, "pause-1.cs.ucla.edu", "while paused: ");
            if (!reached_second.missing.empty()) return fault_extra(name, reached_second, "pause-2.cs.ucla.edu", "while paused: ");
            fault_extra(name, after, "pause-2.cs.ucla.edu", "while paused: " + reach_text(reached_second, "pause-2.cs.ucla.edu") + "; after SIGCONT: ");
        }
        if (options_.links) cut_link(origin_name);
    }

    // With relayed links: one link cut, both ways, the first whose loss leaves every server joined
    // (else the first). An IAMAT at the origin must reach every server over the other links, or
    // when none is left, every server still joined to it and the rest once the link is healed.
    void cut_link(const std::string& origin_name) {
        const std::set<std::string> all(names_.begin(), names_.end());
        std::pair<std::string, std::string> cut;
        for (const auto& [a, b] : herd_.herd().links)
            if (cut.first.empty() || (joined(all, origin_name, {a, b}).size() == all.size() &&
                                      joined(all, origin_name, cut).size() < all.size()))
                cut = {a, b};
        if (cut.first.empty()) return;
        const std::set<std::string> during = joined(all, origin_name, cut);
        const std::string name = "the link " + cut.first + "-" + cut.second + " cut: an IAMAT at " + origin_name + " reaches " +
                                 (during.size() == all.size() ? "every server over the other links"
                                                              : "every server still joined to it, and the rest once the link is healed");
        if (options_.links->delivered().empty())
            return add({"extra: faults: " + name, false, 0, 1,
                        "no flood line came through herdsim's relays, so no link can be cut: the servers were given their "
                        "neighbours' ports in {config} but connect elsewhere",
                        ""});
        const std::string client = "cut.cs.ucla.edu";
        link("cut", cut.first, cut.second);
        const Iamat origin = iamat("faults", origin_name, client, "+34.068930-118.445127", false, false);
        const auto since = origin.exchange.ended_at;
        const Reach reached = reach(during, client, origin, since, since + reach_limit);
        link("heal", cut.first, cut.second);
        if (during.size() == all.size() || !reached.missing.empty())
            return fault_extra(name, reached, client, origin.ok ? "while cut: " : "the IAMAT went wrong; ");
        std::set<std::string> rest;
        for (const auto& n : all)
            if (!during.count(n)) rest.insert(n);
        const auto healed = Clock::now();
        fault_extra(name, reach(rest, client, origin, healed, healed + reach_limit), client,
                    "while cut: " + reach_text(reached, client) + "; after the heal: ");
    }

    StudentHerd& herd_;
    const SuiteOptions& options_;
    Json legacy_, places_new_;
    std::vector<std::string> names_;
    std::vector<TestResult> results_;
    GradeLog log_;
    std::vector<Reported> reported_;
    std::string flood_lost_;  // why a server that does not know an update is not asked again, once one never came
};

}  // namespace

SuiteRun run_suite(StudentHerd& herd, const SuiteOptions& options) { return Grader(herd, options).run(); }

}  // namespace herd::sim::grade
