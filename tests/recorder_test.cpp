// The recorder driven directly through the observer hook with a hand-turned clock, so every
// latency is exact; then the report written from it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "record/recorder.hpp"
#include "record/recovery.hpp"
#include "record/spans.hpp"
#include "record/run_row.hpp"
#include "report/report.hpp"
#include "report/text_table.hpp"

using namespace herd;
using namespace herd::sim;
using namespace std::chrono_literals;
using Outcome = Effects::Outcome;

namespace {

const std::string kiwi1 = "1520023934.918963997";
const std::string kiwi2 = "1520023940.5";
const std::string at_kiwi1 = "AT A +0.263873386 kiwi +34.068930-118.445127 " + kiwi1;
const std::string at_kiwi2 = "AT B +0.100000000 kiwi +34.068930-118.445127 " + kiwi2;

// A clock the test moves by hand: the recorder reads it at each hook.
struct FakeClock {
    Recorder::TimePoint now = Recorder::TimePoint{} + 1h;
    Recorder::ClockFn fn() {
        return [this] { return now; };
    }
};

void feed(Recorder& r, std::string_view node, const std::string& line, Outcome outcome) {
    Effects e;
    e.outcome = outcome;
    r.on_handled(node, parse_line(line), e);
}

void whatsat(Recorder& r, std::string_view node, const std::string& served_at_line) {
    Effects e;
    e.outcome = Outcome::query;
    e.places = PlacesQuery{served_at_line, "34.068930", "-118.445127", "10000", 5};
    r.on_handled(node, parse_line("WHATSAT kiwi 10 5"), e);
}

// A ring A-B-C-D-A. Update 0 (kiwi, first time) is born at A at 1 ms and floods the whole ring:
// 2E - (N-1) = 5 AT lines, two of them duplicates. Update 1 (kiwi, newer) is born at B at 10 ms
// while only B and C are reachable. Update 2 (plum) is born at C at 20 ms; D crashes before
// storing it and B never does, so it is lost, missing B only.
struct Scripted {
    FakeClock clock;
    Recorder rec{{"A", "B", "C", "D"}, clock.fn()};
    Recorder::TimePoint start = clock.now;

    void at_ms(double ms) { clock.now = start + std::chrono::microseconds(static_cast<long long>(ms * 1000)); }

    Scripted() {
        at_ms(1);
        feed(rec, "A", "IAMAT kiwi +34.068930-118.445127 " + kiwi1, Outcome::stored);
        at_ms(1.25);
        feed(rec, "B", at_kiwi1 + " A", Outcome::stored);
        at_ms(1.3);
        feed(rec, "D", at_kiwi1 + " A", Outcome::stored);
        at_ms(1.6);
        feed(rec, "C", at_kiwi1 + " B", Outcome::stored);
        at_ms(1.7);
        feed(rec, "C", at_kiwi1 + " D", Outcome::stale);
        at_ms(1.9);
        feed(rec, "D", at_kiwi1 + " C", Outcome::stale);

        rec.set_reachable([](std::string_view origin) {
            return origin == "B" ? std::vector<std::string>{"B", "C"} : std::vector<std::string>{"A", "B", "C", "D"};
        });
        at_ms(10);
        feed(rec, "B", "IAMAT kiwi +34.068930-118.445127 " + kiwi2, Outcome::stored);
        at_ms(10.5);
        feed(rec, "C", at_kiwi2 + " B", Outcome::stored);

        at_ms(20);
        feed(rec, "C", "IAMAT plum +10-20 1600000000", Outcome::stored);
        at_ms(20.75);
        feed(rec, "A", "AT C +0.1 plum +10-20 1600000000", Outcome::stored);  // six fields: sender "?"
        at_ms(21);
        rec.note("crash", "D", {"D"});
        rec.node_crashed("D");
        at_ms(22);
        rec.on_peer_link("C", "D", false);
    }
};

}  // namespace

TEST_CASE("Quantiles are nearest-rank", "[recorder]") {
    std::vector<double> hundred;
    for (int i = 100; i >= 1; --i) hundred.push_back(i);  // unsorted on purpose
    auto q = quantiles(hundred);
    CHECK(q.count == 100);
    CHECK(q.p50 == 50);
    CHECK(q.p95 == 95);
    CHECK(q.p99 == 99);
    CHECK(q.max == 100);

    q = quantiles({3, 1, 2, 4, 5, 6, 7, 8, 9, 10});
    CHECK(q.p50 == 5);
    CHECK(q.p95 == 10);
    CHECK(q.p99 == 10);

    q = quantiles({0.25});
    CHECK((q.p50 == 0.25 && q.p99 == 0.25 && q.max == 0.25));
    CHECK(quantiles({}).count == 0);
}

TEST_CASE("Updates are born at their origin and timed at every node", "[recorder]") {
    Scripted s;
    const auto& updates = s.rec.updates();
    REQUIRE(updates.size() == 3);
    const auto& u0 = updates[0];
    CHECK(u0.id == 0);
    CHECK(u0.client == "kiwi");
    CHECK(u0.client_time_text == kiwi1);
    CHECK(u0.client_time == 1520023934918963997);
    CHECK(u0.origin == "A");
    CHECK(s.rec.ms_since_start(u0.born) == Approx(1.0));
    CHECK(u0.messages == 5);
    CHECK(u0.deliveries[*s.rec.node_index("C")].duplicates == 1);
    CHECK(u0.deliveries[*s.rec.node_index("C")].messages == 2);

    CHECK(s.rec.newest_update("kiwi")->id == 1);
    CHECK(s.rec.newest_update("plum")->id == 2);
    CHECK(s.rec.newest_update("nobody") == nullptr);
    CHECK(s.rec.ms_since_start(s.rec.last_activity()) == Approx(20.75));
    CHECK(s.rec.start_time() == s.start);

    const Summary sum = s.rec.summarize();
    CHECK(sum.updates == 3);
    CHECK(sum.duration_ms == Approx(22));
    REQUIRE(sum.full_coverage_ms.size() == 3);
    CHECK(*sum.full_coverage_ms[0] == Approx(0.6));
    CHECK(*sum.full_coverage_ms[1] == Approx(0.5));  // only B and C were required
    CHECK_FALSE(sum.full_coverage_ms[2]);
    CHECK(sum.full_coverage.count == 2);
    CHECK(sum.full_coverage.p50 == Approx(0.5));
    CHECK(sum.full_coverage.max == Approx(0.6));

    CHECK(sum.per_node.at("A").count == 1);  // plum; kiwi was born at A
    CHECK(sum.per_node.at("A").max == Approx(0.75));
    CHECK(sum.per_node.at("B").max == Approx(0.25));
    CHECK(sum.per_node.at("C").count == 2);
    CHECK(sum.per_node.at("C").p50 == Approx(0.5));
    CHECK(sum.per_node.at("C").max == Approx(0.6));
    CHECK(sum.per_node.at("D").max == Approx(0.3));

    CHECK(sum.messages.per_update == std::vector<std::uint64_t>{5, 1, 1});
    CHECK(sum.messages.min == 1);
    CHECK(sum.messages.max == 5);
    CHECK(sum.messages.mean == Approx(7.0 / 3));
    CHECK(sum.duplicates_per_node == std::map<std::string, std::uint64_t>{{"A", 0}, {"B", 0}, {"C", 1}, {"D", 1}});
    CHECK(sum.link_messages == std::map<std::pair<std::string, std::string>, std::uint64_t>{
                                   {{"?", "A"}, 1},
                                   {{"A", "B"}, 1},
                                   {{"A", "D"}, 1},
                                   {{"B", "C"}, 2},
                                   {{"C", "D"}, 1},
                                   {{"D", "C"}, 1}});

    REQUIRE(sum.lost.size() == 1);
    CHECK(sum.lost[0].id == 2);
    CHECK(sum.lost[0].client == "plum");
    CHECK(sum.lost[0].origin == "C");
    CHECK(sum.lost[0].missing == std::vector<std::string>{"B"});  // D was excused by its crash
    CHECK(sum.unmatched_messages == 0);
}

TEST_CASE("A required node that never stores makes the update lost until it does", "[recorder]") {
    FakeClock clock;
    Recorder rec({"A", "B"}, clock.fn());
    feed(rec, "A", "IAMAT c +1+2 100", Outcome::stored);
    auto sum = rec.summarize();
    REQUIRE(sum.lost.size() == 1);
    CHECK(sum.lost[0].missing == std::vector<std::string>{"B"});
    CHECK(sum.full_coverage.count == 0);

    clock.now += 3ms;
    feed(rec, "B", "AT A +0 c +1+2 100 A", Outcome::stored);
    sum = rec.summarize();
    CHECK(sum.lost.empty());
    CHECK(sum.full_coverage.max == Approx(3));
}

TEST_CASE("node_crashed excuses only what the node had not stored", "[recorder]") {
    FakeClock clock;
    Recorder rec({"A", "B", "C"}, clock.fn());
    feed(rec, "A", "IAMAT c +1+2 100", Outcome::stored);
    clock.now += 1ms;
    feed(rec, "B", "AT A +0 c +1+2 100 A", Outcome::stored);
    clock.now += 1ms;
    rec.node_crashed("B");  // B had it: still counted, at 1 ms
    rec.node_crashed("C");  // C did not: no longer required
    auto sum = rec.summarize();
    CHECK(sum.lost.empty());
    CHECK(*sum.full_coverage_ms[0] == Approx(1));

    // After the crash, C's restart: a new update requires it again (no reachable function: all nodes).
    feed(rec, "A", "IAMAT c +1+2 200", Outcome::stored);
    sum = rec.summarize();
    REQUIRE(sum.lost.size() == 1);
    CHECK(sum.lost[0].missing == std::vector<std::string>{"B", "C"});
}

TEST_CASE("An update whose every holder crashed before passing it on is forgotten, not lost", "[recorder]") {
    FakeClock clock;
    Recorder rec({"A", "B", "C"}, clock.fn());
    feed(rec, "A", "IAMAT c +1+2 100", Outcome::stored);
    clock.now += 1ms;
    rec.node_crashed("A");
    auto sum = rec.summarize();
    CHECK(sum.lost.empty());
    REQUIRE(sum.forgotten.size() == 1);
    CHECK(sum.forgotten[0].missing == std::vector<std::string>{"B", "C"});
    CHECK_FALSE(sum.full_coverage_ms[0]);

    // B got the next one before A crashed again: B can still pass it on, so C lacking it is a loss.
    clock.now += 1ms;
    feed(rec, "A", "IAMAT c +1+2 200", Outcome::stored);
    feed(rec, "B", "AT A +0 c +1+2 200 A", Outcome::stored);
    clock.now += 1ms;
    rec.node_crashed("A");
    sum = rec.summarize();
    // Update 0 counts as lost now too: B holds a newer report for c, which C could get from it.
    REQUIRE(sum.lost.size() == 2);
    CHECK(sum.lost[0].id == 0);
    CHECK(sum.lost[0].missing == std::vector<std::string>{"C"});
    CHECK(sum.lost[1].id == 1);
    CHECK(sum.lost[1].missing == std::vector<std::string>{"C"});
    CHECK(sum.forgotten.empty());
}

TEST_CASE("The same report stored again is the same update, not a new one", "[recorder]") {
    FakeClock clock;
    Recorder rec({"A", "B"}, clock.fn());
    feed(rec, "A", "IAMAT c +1+2 100", Outcome::stored);
    clock.now += 2ms;
    // B had not heard of it (a partition) when the client repeated itself to B.
    feed(rec, "B", "IAMAT c +1+2 100.0", Outcome::stored);
    REQUIRE(rec.updates().size() == 1);
    CHECK(*rec.summarize().full_coverage_ms[0] == Approx(2));
    // IAMATs that were not newer, and other outcomes, create nothing.
    feed(rec, "A", "IAMAT c +1+2 50", Outcome::stale);
    feed(rec, "A", "IAMAT c +1+2", Outcome::rejected);
    CHECK(rec.updates().size() == 1);
}

TEST_CASE("AT lines for reports nobody was seen storing first are counted apart", "[recorder]") {
    FakeClock clock;
    Recorder rec({"A", "B"}, clock.fn());
    clock.now += 4ms;
    feed(rec, "B", "AT A +0 ghost +1+2 100 A", Outcome::stored);
    const auto sum = rec.summarize();
    CHECK(sum.updates == 0);
    CHECK(sum.unmatched_messages == 1);
    CHECK(sum.link_messages.at({"A", "B"}) == 1);
    CHECK(rec.ms_since_start(rec.last_activity()) == Approx(4));
}

TEST_CASE("Flood lines heard before the report's birth are counted at the birth, never lost for being early",
          "[recorder]") {
    // A server that floods before it answers, and a client that births the report at the reply
    // (a process herd): the neighbours' lines come first, one of them back at the origin.
    FakeClock clock;
    Recorder rec({"A", "B", "C"}, clock.fn());
    const ClientReport kiwi{"kiwi", 100, "100"};
    clock.now += 1ms;
    rec.flooded("B", "A", kiwi, true);
    rec.flooded("C", "B", kiwi, true);
    rec.flooded("A", "C", kiwi, true);  // the origin has not been seen storing it yet
    rec.flooded("B", "A", {"ghost", 7, "7"}, true);  // never born
    clock.now += 2ms;
    rec.stored("A", kiwi);
    const auto sum = rec.summarize();
    REQUIRE(sum.updates == 1);
    const auto& u = rec.updates()[0];
    CHECK(u.origin == "A");
    CHECK(u.messages == 3);
    CHECK(u.deliveries[*rec.node_index("A")].duplicates == 1);
    CHECK(rec.ms_since_start(*u.deliveries[*rec.node_index("B")].first_stored) == Approx(3));
    CHECK(rec.ms_since_start(*u.deliveries[*rec.node_index("C")].first_stored) == Approx(3));
    CHECK(sum.lost.empty());
    CHECK(sum.messages.per_update == std::vector<std::uint64_t>{3});
    CHECK(sum.unmatched_messages == 1);
    CHECK(sum.link_messages.at({"A", "B"}) == 2);
}

TEST_CASE("A WHATSAT answered from an older record than the newest born is a stale read", "[recorder]") {
    Scripted s;
    s.at_ms(30);
    whatsat(s.rec, "A", at_kiwi1);  // A never got update 1
    whatsat(s.rec, "C", at_kiwi2);  // C has the newest
    REQUIRE(s.rec.stale_reads().size() == 1);
    const auto& r = s.rec.stale_reads()[0];
    CHECK(r.node == "A");
    CHECK(r.client == "kiwi");
    CHECK(r.served_time == kiwi1);
    CHECK(r.newest_time == kiwi2);
    CHECK(r.newest_update == 1);
    CHECK(r.t_ms == Approx(30));
    CHECK(s.rec.summarize().stale_reads == 1);
}

TEST_CASE("Faults and link changes go in the event log with their time", "[recorder]") {
    Scripted s;
    s.at_ms(25);
    s.rec.on_peer_overflow("A", "B", 7);
    const auto& e = s.rec.events();
    REQUIRE(e.size() == 3);
    CHECK(e[0].t_ms == Approx(21));
    CHECK(e[0].kind == "crash");
    CHECK(e[0].detail == "D");
    CHECK(e[0].nodes == std::vector<std::string>{"D"});
    CHECK(e[1].kind == "link_down");
    CHECK(e[1].detail == "C->D");
    CHECK(e[1].t_ms == Approx(22));
    CHECK(e[2].kind == "overflow");
    CHECK(e[2].detail == "A->B dropped 7 lines");
}

TEST_CASE("The default clock is steady_clock", "[recorder]") {
    const auto before = std::chrono::steady_clock::now();
    Recorder rec({"A"});
    CHECK(rec.start_time() >= before);
    CHECK(rec.now() >= rec.start_time());
}

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("herdsim-report-test-" + std::to_string(::getpid()));
    TempDir() { fs::remove_all(path); }
    ~TempDir() { fs::remove_all(path); }
};

RunRecord context(const fs::path& root, std::string run) {
    RunRecord ctx;
    ctx.scenario = "ring4";
    ctx.run_id = run;
    ctx.dir = root / "ring4" / run;
    ctx.command = "herdsim run scenarios/ring4.json --seed 9";
    ctx.seed = 9;
    ctx.nodes = {"A", "B", "C", "D"};
    ctx.edges = 4;
    ctx.faults = {{21, std::nullopt, FaultWindow::Kind::crash, "D"}, {5, 8, FaultWindow::Kind::cut, "A-B"}};
    ctx.verdicts = {{3, "converged", VerdictKind::pass, ""},
                    {4, "lost <= 0", VerdictKind::fail, "1 update lost"},
                    {5, "Ball knows kiwi", VerdictKind::unchecked, "unreadable reply: \"AT Ball\""}};
    return ctx;
}

// N0..N(n-1): `client`'s report is born at N0 at 1 ms and stored by N1, N2, ... 0.1 ms apart.
struct Star {
    FakeClock clock;
    std::vector<std::string> nodes;
    Recorder rec;

    static std::vector<std::string> names(int n) {
        std::vector<std::string> out;
        for (int i = 0; i < n; ++i) out.push_back("N" + std::to_string(i));
        return out;
    }

    Star(int n, const std::string& client) : nodes(names(n)), rec(nodes, clock.fn()) {
        clock.now += 1ms;
        feed(rec, "N0", "IAMAT " + client + " +1+2 100", Outcome::stored);
        for (int i = 1; i < n; ++i) {
            clock.now += 100us;
            feed(rec, nodes[static_cast<std::size_t>(i)], "AT N0 +0 " + client + " +1+2 100 N0", Outcome::stored);
        }
    }

    RunRecord context(const fs::path& dir) const {
        RunRecord ctx;
        ctx.scenario = "big";
        ctx.run_id = "r";
        ctx.dir = dir;
        ctx.nodes = nodes;
        return ctx;
    }
};

}  // namespace

TEST_CASE("write_report writes every file with the documented columns", "[report]") {
    TempDir tmp;
    Scripted s;
    s.at_ms(30);
    whatsat(s.rec, "A", at_kiwi1);
    auto ctx = context(tmp.path, "run1");
    ctx.summary = s.rec.summarize();
    const bool have_gnuplot = fs::exists("/usr/bin/gnuplot");
    ReportOptions options;
    if (!have_gnuplot) options.gnuplot.clear();
    const auto warnings = write_report(ctx, s.rec, nullptr, options);
    const fs::path dir = ctx.dir;

    const auto updates = lines(slurp(dir / "updates.csv"));
    REQUIRE(updates.size() == 1 + 3 * 4);
    CHECK(updates[0] ==
          "update_id,client,client_time,origin,node,born_ms,stored_ms,latency_ms,duplicates,messages_for_update");
    CHECK(updates[1] == "0,kiwi," + kiwi1 + ",A,A,1.000,1.000,0.000,0,5");
    CHECK(updates[3] == "0,kiwi," + kiwi1 + ",A,C,1.000,1.600,0.600,1,5");
    CHECK(updates[6] == "1,kiwi," + kiwi2 + ",B,B,10.000,10.000,0.000,0,1");
    CHECK(updates[10] == "2,plum,1600000000,C,B,20.000,,,0,1");  // never stored

    const auto links = lines(slurp(dir / "links.csv"));
    REQUIRE(links.size() == 7);
    CHECK(links[0] == "from,to,messages");
    CHECK(links[1] == "?,A,1");
    CHECK(links[4] == "B,C,2");

    const auto events = lines(slurp(dir / "events.jsonl"));
    REQUIRE(events.size() == 2);
    const auto crash = nlohmann::json::parse(events[0]);
    CHECK(crash["kind"] == "crash");
    CHECK(crash["t_ms"].get<double>() == Approx(21));
    CHECK(crash["nodes"] == nlohmann::json::array({"D"}));

    const auto j = nlohmann::json::parse(slurp(dir / "summary.json"));
    CHECK(j["scenario"] == "ring4");
    CHECK(j["run_id"] == "run1");
    CHECK(j["seed"] == 9);
    CHECK(j["command"] == ctx.command);
    CHECK(j["passed"] == false);
    CHECK(j["verdict"] == "fail");
    CHECK(j["herd"]["nodes"] == 4);
    CHECK(j["herd"]["edges"] == 4);
    CHECK(j["herd"]["flood_messages_per_update"] == 5);
    CHECK(j["updates"] == 3);
    CHECK(j["lost"] == 1);
    CHECK(j["lost_updates"][0]["missing"] == nlohmann::json::array({"B"}));
    CHECK(j["stale_reads"] == 1);
    CHECK(j["full_coverage_ms"]["count"] == 2);
    CHECK(j["full_coverage_ms"]["max"].get<double>() == Approx(0.6));
    CHECK(j["per_node_ms"]["C"]["max"].get<double>() == Approx(0.6));
    CHECK(j["messages_per_update"]["per_update"] == nlohmann::json::array({5, 1, 1}));
    CHECK(j["duplicates_per_node"]["D"] == 1);
    CHECK(j["links"].size() == 6);
    CHECK(j["verdicts"].size() == 3);
    CHECK(j["verdicts"][1]["detail"] == "1 update lost");
    CHECK(j["verdicts"][1]["verdict"] == "fail");
    CHECK(j["verdicts"][2]["verdict"] == "unchecked");
    CHECK(j["verdicts"][2]["passed"] == false);
    CHECK(j["faults"][0]["end_ms"].is_null());
    CHECK(j["warnings"] == nlohmann::json(warnings));

    CHECK(fs::is_symlink(tmp.path / "ring4" / "latest"));
    CHECK(fs::read_symlink(tmp.path / "ring4" / "latest") == "run1");
    CHECK(fs::exists(dir / "latency_per_node.gp"));
    CHECK(fs::exists(dir / "coverage_cdf.gp"));
    CHECK(slurp(dir / "latency_per_node.gp").find("rect from first 0.021000, graph 0 to first 0.030000") !=
          std::string::npos);
    if (have_gnuplot) {
        CHECK(warnings.empty());
        CHECK(fs::file_size(dir / "latency_per_node.png") > 0);
        CHECK(fs::file_size(dir / "coverage_cdf.png") > 0);
    }

    // A second run takes over "latest".
    auto second = context(tmp.path, "run2");
    second.summary = ctx.summary;
    write_report(second, s.rec, nullptr, {.gnuplot = ""});
    CHECK(fs::read_symlink(tmp.path / "ring4" / "latest") == "run2");
}

TEST_CASE("Without a working gnuplot the report still has its data, and says so", "[report]") {
    TempDir tmp;
    Scripted s;
    auto ctx = context(tmp.path, "nognuplot");
    ctx.summary = s.rec.summarize();
    const auto warnings = write_report(ctx, s.rec, nullptr, {.gnuplot = "/nonexistent/gnuplot"});
    REQUIRE(warnings.size() == 4);  // one per plot
    for (const auto& w : warnings) CHECK_THAT(w, Catch::Matchers::Contains("could not run /nonexistent/gnuplot"));
    for (const char* file : {"summary.json", "updates.csv", "links.csv", "events.jsonl", "latency_per_node.gp"})
        CHECK(fs::exists(ctx.dir / file));
    CHECK_FALSE(fs::exists(ctx.dir / "latency_per_node.png"));
}

TEST_CASE("Odd client ids are quoted in the CSV, 25 nodes still plot a series each (24 without the origin)", "[report]") {
    TempDir tmp;
    Star star(25, "a,\"b\"");
    RunRecord ctx = star.context(tmp.path / "big" / "r/");  // a trailing slash names the same run
    ctx.summary = star.rec.summarize();
    ReportOptions options;
    if (!fs::exists("/usr/bin/gnuplot")) options.gnuplot.clear();
    const auto warnings = write_report(ctx, star.rec, nullptr, options);
    const fs::path dir = tmp.path / "big" / "r";
    CHECK(lines(slurp(dir / "updates.csv"))[1] == "0,\"a,\"\"b\"\"\",100,N0,N0,1.000,1.000,0.000,0,24");
    CHECK(slurp(dir / "latency_per_node.gp").find("index 23 using 1:2 with points") != std::string::npos);
    CHECK(fs::read_symlink(tmp.path / "big" / "latest") == "r");
    if (!options.gnuplot.empty()) {
        CHECK(warnings.empty());
        CHECK(fs::exists(dir / "latency_per_node.png"));
    }
}

TEST_CASE("terminal_table aligns one line per run", "[report]") {
    Scripted s;
    Summary empty;
    const auto table = terminal_table({make_run_row("ring4", RunVerdict::fail, s.rec.summarize()),
                                       make_run_row("a-much-longer-name", RunVerdict::pass, empty),
                                       make_run_row("nothing-checked", RunVerdict::unchecked, empty)});
    const auto rows = lines(table);
    REQUIRE(rows.size() == 4);
    CHECK(rows[3].find("UNCHECKED") == rows[1].find("FAIL"));
    CHECK(rows[0].rfind("scenario          ", 0) == 0);
    CHECK(rows[0].find("verdict") == rows[1].find("FAIL"));
    CHECK(rows[1].find("FAIL") == rows[2].find("PASS"));
    // Numbers are right-aligned: every line ends in the same column.
    CHECK(rows[0].size() == rows[1].size());
    CHECK(rows[1].size() == rows[2].size());
    CHECK(rows[1].find("0.500") != std::string::npos);   // p50
    CHECK(rows[1].find("0.600") != std::string::npos);   // p99, max
    CHECK(rows[2].find(" - ") != std::string::npos);     // no covered update
    CHECK(rows[1].find("2.3") != std::string::npos);     // 7 AT lines over 3 updates
}

TEST_CASE("A run fails on any failed verdict, else is unchecked without an expectation", "[report]") {
    const Verdict converged{0, "converged", VerdictKind::pass, ""};
    const Verdict timed_out{1, "quiet for 200 ms", VerdictKind::fail, "floods in flight"};
    const Verdict unreadable{2, "Ball knows kiwi", VerdictKind::unchecked, "unreadable reply: \"AT Ball\""};
    CHECK(run_verdict({converged}, true) == RunVerdict::pass);
    CHECK(run_verdict({converged, timed_out}, true) == RunVerdict::fail);
    CHECK(run_verdict({}, false) == RunVerdict::unchecked);
    // A wait_quiet that timed out is a failure even in a scenario with no expectation.
    CHECK(run_verdict({timed_out}, false) == RunVerdict::fail);
    CHECK(std::string(verdict_name(RunVerdict::unchecked)) == "unchecked");
}

TEST_CASE("An interrupted run is INTERRUPTED, never a pass, unless something already failed", "[report]") {
    const Verdict converged{0, "converged", VerdictKind::pass, ""};
    const Verdict timed_out{1, "quiet for 200 ms", VerdictKind::fail, "floods in flight"};
    CHECK(run_verdict({converged}, true, true) == RunVerdict::interrupted);
    CHECK(run_verdict({}, false, true) == RunVerdict::interrupted);
    CHECK(run_verdict({converged, timed_out}, true, true) == RunVerdict::fail);
    CHECK(std::string(verdict_name(RunVerdict::interrupted)) == "interrupted");
    const auto rows = lines(terminal_table({make_run_row("stopped", run_verdict({converged}, true, true), {})}));
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].rfind("stopped ", 0) == 0);
    CHECK(rows[1].find("INTERRUPTED") == rows[0].find("verdict"));
    CHECK(rows[1].find("PASS") == std::string::npos);
}

TEST_CASE("A check that saw nothing it could judge is no pass: the run is unchecked, unless one failed", "[report]") {
    const Verdict converged{0, "converged", VerdictKind::pass, ""};
    const Verdict unreadable{2, "Ball knows kiwi", VerdictKind::unchecked, "unreadable reply: \"AT Ball\""};
    const Verdict timed_out{1, "quiet for 200 ms", VerdictKind::fail, "floods in flight"};
    CHECK_FALSE(unreadable.passed());
    CHECK(run_verdict({converged, unreadable}, true) == RunVerdict::unchecked);
    CHECK(run_verdict({unreadable, timed_out}, true) == RunVerdict::fail);
    CHECK(std::string(verdict_name(VerdictKind::unchecked)) == "unchecked");
    const auto rows = lines(terminal_table({make_run_row("poll-unreadable", run_verdict({converged, unreadable}, true), {})}));
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].find("poll-unreadable  UNCHECKED") == 0);
}

TEST_CASE("A span summarizes only the updates born in it, with their late deliveries and stale reads", "[recorder][spans]") {
    Scripted s;
    // Update 1 (kiwi, born at B at 10 ms while only B and C were reachable) reaches A at 12.5 ms:
    // a late delivery, 2.5 ms after its birth. A reads kiwi from update 0 at 13 ms: stale.
    s.at_ms(12.5);
    feed(s.rec, "A", at_kiwi2 + " B", Outcome::stored);
    s.at_ms(13);
    whatsat(s.rec, "A", at_kiwi1);

    const Summary all = s.rec.summarize();
    REQUIRE(all.late.size() == 1);
    CHECK(all.late[0].id == 1);
    CHECK(all.late[0].node == "A");
    CHECK(all.late[0].delay_ms == Approx(2.5));
    CHECK(all.late_delay.count == 1);
    CHECK(all.late_delay.max == Approx(2.5));
    CHECK(*all.full_coverage_ms[1] == Approx(0.5));  // the late delivery is not in the coverage

    // [5, 20): update 1 only; the stale read missed it, so it goes with it.
    const Summary mid = summarize_span(s.rec, 5, 20.0);
    CHECK(mid.updates == 1);
    CHECK(mid.full_coverage_ms.size() == 1);
    CHECK(mid.full_coverage.count == 1);
    CHECK(mid.full_coverage.p50 == Approx(0.5));
    CHECK(mid.late.size() == 1);
    CHECK(mid.stale_reads == 1);
    CHECK(mid.lost.empty());
    CHECK(mid.messages.per_update == std::vector<std::uint64_t>{2});
    CHECK(mid.per_node.at("C").count == 1);
    CHECK(mid.per_node.at("D").count == 0);

    // [20, end): update 2, lost; no late delivery, no stale read. [0, 1) holds nothing: 1 ms is
    // update 0's birth, and the end is excluded.
    const Summary tail = summarize_span(s.rec, 20, std::nullopt);
    CHECK(tail.updates == 1);
    CHECK(tail.lost.size() == 1);
    CHECK(tail.late.empty());
    CHECK(tail.stale_reads == 0);
    CHECK(summarize_span(s.rec, 0, 1.0).updates == 0);
    CHECK(summarize_span(s.rec, 1, 1.001).updates == 1);
}

TEST_CASE("Recovery: from the fault's end until every pair is held, crashed nodes excused", "[recovery]") {
    RecoveryTargets targets{{"A", {{"kiwi", 20}, {"plum", 5}}}, {"B", {{"kiwi", 20}}}};
    RecoveryWatch watch(100.0, targets, {{"C", {{"kiwi", 20}, {"plum", 5}}}});
    CHECK_FALSE(watch.result().recovered_ms);
    CHECK(watch.result().missing == 3);
    CHECK(watch.result().example == "A lacks kiwi (0.000000020 or newer)");
    watch.stored("A", "kiwi", 19, 101.0);  // older than required: not enough
    watch.stored("A", "kiwi", 21, 102.5);  // newer: enough
    watch.stored("C", "kiwi", 21, 103.0);  // not asked for
    CHECK(watch.result().missing == 2);
    watch.stored("A", "plum", 5, 104.25);
    CHECK_FALSE(watch.result().recovered_ms);
    watch.crashed("B", 110.0);
    const Recovery r = watch.result();
    CHECK(r.missing == 0);
    CHECK(r.example.empty());
    REQUIRE(r.recovered_ms);
    CHECK(*r.recovered_ms == 110.0);
    CHECK(*r.recovery_ms() == Approx(10.0));

    RecoveryWatch nothing(7.5, {}, {});
    CHECK(*nothing.result().recovery_ms() == 0.0);

    // Through the hook: only stored IAMAT and AT lines count.
    Recoveries all;
    all.watch(3, RecoveryWatch(1.0, {{"A", {{"kiwi", 1520023940500000000}}}}, {{"B", {{"kiwi", 1520023940500000000}}}}));
    Effects stale;
    stale.outcome = Outcome::stale;
    all.on_handled("A", parse_line(at_kiwi2 + " B"), stale, 2.0);
    CHECK_FALSE(all.of(3)->recovered_ms);
    Effects stored;
    stored.outcome = Outcome::stored;
    all.on_handled("A", parse_line(at_kiwi2 + " B"), stored, 4.0);
    CHECK(*all.of(3)->recovery_ms() == Approx(3.0));
    CHECK_FALSE(all.of(0));
}

TEST_CASE("A store made while a watch's targets are read counts for that watch", "[recovery]") {
    // A target's targets are read by polls, which run the herd: A stores kiwi 20 meanwhile, and a
    // later poll finds nothing newer to tell.
    Recoveries all;
    all.open_watch();
    all.stored("A", "kiwi", 20, 12.0);
    all.watch(0, RecoveryWatch(10.0, {{"A", {{"kiwi", 20}}}}, {{"B", {{"kiwi", 20}}}}));
    REQUIRE(all.of(0)->recovered_ms);
    CHECK(*all.of(0)->recovery_ms() == Approx(2.0));
    // Only until that watch is made.
    all.stored("A", "plum", 5, 13.0);
    all.watch(1, RecoveryWatch(14.0, {{"A", {{"plum", 5}}}}, {{"B", {{"plum", 5}}}}));
    CHECK_FALSE(all.of(1)->recovered_ms);
}

TEST_CASE("Recovery asks no one for a record whose every holder crashed", "[recovery]") {
    // A lacks kiwi 20 and plum 5; B holds both, C an older kiwi and plum.
    RecoveryWatch watch(100.0, {{"A", {{"kiwi", 20}, {"plum", 5}}}}, {{"B", {{"kiwi", 20}, {"plum", 5}}}, {"C", {{"kiwi", 10}, {"plum", 5}}}});
    watch.crashed("B", 105.0);  // kiwi 20 is gone with B; plum 5 is still at C
    CHECK(watch.result().missing == 1);
    CHECK(watch.result().example == "A lacks plum (0.000000005 or newer)");
    watch.stored("A", "plum", 5, 107.0);
    REQUIRE(watch.result().recovered_ms);
    CHECK(*watch.result().recovery_ms() == Approx(7.0));

    // One that stored it meanwhile holds it on after the first holder crashed: still asked for.
    RecoveryWatch passed_on(0.0, {{"A", {{"kiwi", 20}}}}, {{"B", {{"kiwi", 20}}}});
    passed_on.stored("C", "kiwi", 21, 1.0);
    passed_on.crashed("B", 2.0);
    CHECK(passed_on.result().missing == 1);
}

TEST_CASE("Recovery is judged from a window's end, or from the end of the faults that overlapped it", "[recovery]") {
    // 0: a cut healed at 1000; 1: a pause 900..2500 over its recovery; 2: a cut 2000..3000 chained
    // onto the pause; 3: a crash 5000..6000 alone; 4: a drop from 7000 that never ended.
    const std::vector<WindowSpan> w{{100, 1000.0}, {900, 2500.0}, {2000, 3000.0}, {5000, 6000.0}, {7000, std::nullopt}};
    CHECK(judged_from(w, 0, 3100.0) == 3000.0);  // held by the pause, then by the cut that began in it
    CHECK(judged_from(w, 0, 1200.0) == 2500.0);  // the cut that began after it recovered holds nothing
    CHECK(judged_from(w, 3, 6400.0) == 6000.0);  // alone: from its own end, whatever it took
    CHECK(judged_from(w, 3, std::nullopt) == std::nullopt);  // never recovered: the drop began meanwhile, never ended
    CHECK(judged_from(w, 4, 7100.0) == std::nullopt);        // never ended itself
    CHECK(judged_from(w, 2, 3500.0) == 3000.0);
}

TEST_CASE("terminal_table: a run's phases and windows under it, with p95, late and recovery", "[report][spans]") {
    Scripted s;
    const Summary sum = s.rec.summarize();
    const std::vector<FaultWindow> faults{{21, std::nullopt, FaultWindow::Kind::crash, "D", 3},
                                          {5, 8.0, FaultWindow::Kind::cut, "A<->B", 1}};
    const auto span = [&](std::string kind, std::string name, double start, std::optional<double> end,
                          std::optional<Recovery> recovery) {
        SpanReport r{std::move(kind), std::move(name), start, end, summarize_span(s.rec, start, end), recovery};
        const HeldUp held = held_up(s.rec, r.summary, start, end, faults);
        r.held = held.held;
        r.own_coverage = held.own_coverage;
        return r;
    };
    std::vector<SpanReport> spans{
        span("phase", "warm", 0, 15.0, std::nullopt),
        span("fault", "steps[3].crash D", 21, std::nullopt, std::nullopt),
        span("fault", "steps[1].cut A<->B", 5, 8.0, Recovery{8.0, 9.5, 0, ""}),
    };
    const auto rows = lines(terminal_table(make_run_rows("ring4", RunVerdict::pass, sum, spans, 22)));
    REQUIRE(rows.size() == 5);
    CHECK(rows[0] == "scenario              verdict  updates  lost  late  p50 ms  p95 ms  p99 ms  max ms  msgs/upd  c-up/upd  held  stale  recov ms  dur s");
    CHECK(rows[1] == "ring4                 PASS           3     1     0   0.500   0.600   0.600   0.600       2.3       0.0     -      0     1.500    0.0");
    CHECK(rows[2] == "  phase warm                         2     0     0   0.500   0.600   0.600   0.600       3.0       0.0     0      0         -    0.0");
    // Nothing born in a window: nothing counted, so no 0.0 messages per update either.
    CHECK(rows[3] == "  steps[3].crash D                   0     0     0       -       -       -       -         -         -     0      0         -    0.0");
    CHECK(rows[4] == "  steps[1].cut A<->B                 0     0     0       -       -       -       -         -         -     0      0     1.500    0.0");
}

TEST_CASE("terminal_table: a forgot column after lost when some update was forgotten", "[report]") {
    Summary sum;
    sum.updates = 2;
    sum.forgotten.push_back({1, "c", "100", "A", {"B"}});
    const auto rows = lines(terminal_table({make_run_row("r", RunVerdict::pass, sum)}));
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].find("updates  lost  forgot  late") != std::string::npos);
    CHECK(rows[1].find("      2     0       1     0") != std::string::npos);
}

TEST_CASE("A span's latency leaves out the updates a later fault held up, and counts them", "[recorder][spans]") {
    Scripted s;
    // Update 0 is born at 1 ms and covered at 1.6 ms; update 1 at 10 and 10.5 ms; update 2 (born at
    // 20 ms) is lost.
    const Summary warm = summarize_span(s.rec, 0, 15.0);
    // A fault that began at 1.5 ms, after update 0's birth and before its coverage, held it up.
    HeldUp held = held_up(s.rec, warm, 0, 15.0, {{1.5, 1.55, FaultWindow::Kind::cut, "A<->B", 1}});
    CHECK(held.held == 1);
    CHECK(held.own_coverage.count == 1);
    CHECK(held.own_coverage.max == Approx(0.5));  // update 1 only
    CHECK(warm.full_coverage.max == Approx(0.6));  // the whole span still counts both
    // One that began before the birth, or after the coverage, is the span's own business.
    held = held_up(s.rec, warm, 0, 15.0, {{0.5, 2.0, FaultWindow::Kind::cut, "A<->B", 1}, {11, 12, FaultWindow::Kind::cut, "A<->B", 2}});
    CHECK(held.held == 0);
    CHECK(held.own_coverage.count == 2);
    // A lost update that a later fault met is held up, not the span's own loss.
    const Summary late = summarize_span(s.rec, 15.0, std::nullopt);
    held = held_up(s.rec, late, 15.0, std::nullopt, {{21, std::nullopt, FaultWindow::Kind::crash, "D", 3}});
    CHECK(held.held == 1);
    CHECK(held.own_coverage.count == 0);
}

TEST_CASE("Catch-up lines are counted apart from flood lines, by matching each line with its flood send",
          "[recorder]") {
    FakeClock clock;
    Recorder rec{{"A", "B", "C"}, clock.fn()};
    rec.set_peers({{"A", {"B", "C"}}, {"B", {"A"}}, {"C", {"A"}}});
    Effects origin;
    origin.outcome = Outcome::stored;
    origin.flood = at_kiwi1 + " A\n";
    origin.flood_to = {0, 1};
    rec.on_handled("A", parse_line("IAMAT kiwi +34.068930-118.445127 " + kiwi1), origin);
    Effects stored;
    stored.outcome = Outcome::stored;
    rec.on_handled("B", parse_line(at_kiwi1 + " A"), stored);  // A flooded it to B
    // C's copy was lost; A's catch-up resends it from its table, and resends B's too.
    rec.on_handled("C", parse_line(at_kiwi1 + " A"), stored);  // the flood line, late
    Effects stale;
    stale.outcome = Outcome::stale;
    rec.on_handled("B", parse_line(at_kiwi1 + " A"), stale);   // no flood send left: a catch-up line
    rec.on_handled("C", parse_line(at_kiwi1 + " A"), stale);   // the same
    const Summary s = rec.summarize();
    CHECK(s.messages.per_update == std::vector<std::uint64_t>{2});
    CHECK(s.catch_up.per_update == std::vector<std::uint64_t>{2});
    CHECK(rec.updates()[0].deliveries[1].messages == 2);  // a node still counts every line it handled
    // Without the peers nothing tells them apart: every line is a flood line, as a target's are.
    Recorder blind{{"A", "B", "C"}, clock.fn()};
    blind.on_handled("A", parse_line("IAMAT kiwi +34.068930-118.445127 " + kiwi1), origin);
    for (int i = 0; i < 2; ++i) blind.on_handled("B", parse_line(at_kiwi1 + " A"), i ? stale : stored);
    CHECK(blind.summarize().messages.per_update == std::vector<std::uint64_t>{2});
    CHECK(blind.summarize().catch_up.per_update == std::vector<std::uint64_t>{0});
}

TEST_CASE("Every time counts from the scenario's time 0, and what came before it is negative", "[recorder]") {
    FakeClock clock;
    const auto start = clock.now;
    Recorder rec{{"A", "B"}, clock.fn()};
    clock.now = start + 100ms;
    rec.on_peer_link("A", "B", true);  // the herd starting
    rec.set_zero(start + 170ms);       // the scenario's first step is due from here
    clock.now = start + 470ms;
    rec.note("crash", "B", {"B"});     // a step at at_ms 300
    REQUIRE(rec.events().size() == 2);
    CHECK(rec.events()[0].t_ms == Approx(-70));
    CHECK(rec.events()[1].t_ms == Approx(300));
    CHECK(rec.ms_since_start(clock.now) == Approx(300));
    CHECK(rec.summarize().duration_ms == Approx(300));
}

namespace {

// Scripted's report with the given fault windows (and named phases: name, start, end), drawn or not
// as gnuplot is there; returns the folder.
fs::path report_with_windows(const TempDir& tmp, std::vector<FaultWindow> faults,
                             const std::vector<Span>& phases = {}) {
    Scripted s;
    s.at_ms(22);
    auto ctx = context(tmp.path, "plots");
    ctx.faults = std::move(faults);
    for (const auto& p : phases)
        ctx.spans.push_back({"phase", p.name, p.start_ms, p.end_ms, summarize_span(s.rec, p.start_ms, p.end_ms)});
    ctx.summary = s.rec.summarize();
    ReportOptions options;
    if (!fs::exists("/usr/bin/gnuplot")) options.gnuplot.clear();
    const auto warnings = write_report(ctx, s.rec, nullptr, options);
    if (!options.gnuplot.empty()) {
        CHECK(warnings.empty());
        for (const char* png : {"latency_per_node.png", "coverage_cdf.png", "throughput.png", "rolling_quantiles.png"})
            CHECK(fs::file_size(ctx.dir / png) > 0);
    }
    return ctx.dir;
}

}  // namespace

TEST_CASE("Latency per node: points on a log axis, each fault window its own colour, named in the key", "[report][plots]") {
    TempDir tmp;
    const fs::path dir = report_with_windows(tmp, {{21, std::nullopt, FaultWindow::Kind::crash, "D"}, {5, 8, FaultWindow::Kind::cut, "A-B"}});
    const std::string gp = slurp(dir / "latency_per_node.gp");
    CHECK(gp.find("with points") != std::string::npos);
    CHECK(gp.find("lines") == std::string::npos);  // no line joins two updates across a gap
    CHECK(gp.find("set logscale y") != std::string::npos);
    CHECK(gp.find("set label") == std::string::npos);  // window names go in the key, not over the data
    CHECK(gp.find("fillcolor rgb \"#e41a1c\" title \"W1 crash D\"") != std::string::npos);
    CHECK(gp.find("fillcolor rgb \"#377eb8\" title \"W2 cut A-B\"") != std::string::npos);
}

TEST_CASE("Big herds: per update a bar from the fastest to the slowest node, as points", "[report][plots]") {
    TempDir tmp;
    Star star(26, "kiwi");
    RunRecord ctx = star.context(tmp.path / "big" / "r");
    ctx.summary = star.rec.summarize();
    write_report(ctx, star.rec, nullptr, {.gnuplot = ""});
    CHECK(lines(slurp(ctx.dir / "latency_per_node.dat"))[1] == "0.001000 0.100 2.500 2.500");
    const std::string gp = slurp(ctx.dir / "latency_per_node.gp");
    // Vectors take x, y, dx, dy: a vertical segment from the fastest node (column 2) to the slowest (3).
    CHECK(gp.find("using 1:2:(0):($3-$2) with vectors nohead") != std::string::npos);
    CHECK(gp.find("lines") == std::string::npos);
}

TEST_CASE("The CDF has a curve per phase with its p50 and p99 marked", "[report][plots]") {
    TempDir tmp;
    // Update 1 (born at 10 ms, covered in 0.5 ms) is born in the window; 0 (0.6 ms) and 2 (lost) outside.
    const fs::path dir = report_with_windows(tmp, {{9, 12, FaultWindow::Kind::cut, "A-B"}});
    CHECK(slurp(dir / "coverage_cdf.dat") ==
          "# no fault: full_coverage_ms fraction_of_its_updates\n0.600 0\n0.600 0.500000\n\n\n"
          "# no fault: p50 and p99\n0.600 0.500000\n0.600 0.500000\n\n\n"
          "# W1 cut A-B: full_coverage_ms fraction_of_its_updates\n0.500 0\n0.500 1.000000\n\n\n"
          "# W1 cut A-B: p50 and p99\n0.500 1.000000\n0.500 1.000000\n");
    const std::string gp = slurp(dir / "coverage_cdf.gp");
    CHECK(gp.find("title \"no fault: 1/2, p50 0.600, p99 0.600\"") != std::string::npos);
    CHECK(gp.find("title \"W1 cut A-B: 1/1, p50 0.500, p99 0.500\"") != std::string::npos);
    CHECK(gp.find("set logscale x") != std::string::npos);
}

TEST_CASE("With named phases the CDF has a curve per phase, not per fault window", "[report][plots][spans]") {
    TempDir tmp;
    // Update 0 (born at 1 ms, 0.6 ms) is before the first phase; 1 (10 ms, 0.5 ms) in "warm"; 2 (20 ms,
    // lost) in "late", which has no curve. The window is not a curve of its own.
    const fs::path dir = report_with_windows(tmp, {{9, 12, FaultWindow::Kind::cut, "A-B"}}, {{"warm", 5, 15.0}, {"late", 15, std::nullopt}});
    CHECK(slurp(dir / "coverage_cdf.dat") ==
          "# before the first phase: full_coverage_ms fraction_of_its_updates\n0.600 0\n0.600 1.000000\n\n\n"
          "# before the first phase: p50 and p99\n0.600 1.000000\n0.600 1.000000\n\n\n"
          "# phase warm: full_coverage_ms fraction_of_its_updates\n0.500 0\n0.500 1.000000\n\n\n"
          "# phase warm: p50 and p99\n0.500 1.000000\n0.500 1.000000\n");
    const std::string gp = slurp(dir / "coverage_cdf.gp");
    CHECK(gp.find("title \"phase warm: 1/1, p50 0.500, p99 0.500\"") != std::string::npos);
    CHECK(gp.find("each of the scenario's phases") != std::string::npos);
    CHECK(gp.find("W1") == std::string::npos);
}

TEST_CASE("Throughput and rolling quantiles over time", "[report][plots]") {
    TempDir tmp;
    const fs::path dir = report_with_windows(tmp, {});
    // Three updates in 22 ms: one bin holds them all (a bin holds several updates), no message log.
    const auto throughput = lines(slurp(dir / "throughput.dat"));
    REQUIRE(throughput.size() == 1 + 1 + 1);
    CHECK(throughput[0] == "# bin_start_s updates_per_s messages_per_s (bins of 50.000 ms)");
    CHECK(throughput[1] == "0.000000 60.0 0.0");
    CHECK(throughput[2] == "0.050000 0 0");
    // A 2 ms trailing window: each covered update alone in its window, and a blank line (a break in
    // the curve) across the 9 ms with none.
    CHECK(slurp(dir / "rolling_quantiles.dat") ==
          "# birth_s p50_ms p99_ms count (over the updates born in the trailing 2.000 ms)\n"
          "0.001000 0.600 0.600 1\n\n0.010000 0.500 0.500 1\n");
}

namespace {

// A plot as a person sees it: its script run by gnuplot with the SVG terminal instead of PNG, so
// that what was drawn (tick labels, key entries, segments) can be read back.
std::string drawn_as_svg(const fs::path& dir, const std::string& stem) {
    std::string gp = slurp(dir / (stem + ".gp"));
    gp = std::regex_replace(gp, std::regex("set terminal pngcairo[^\n]*"), "set terminal svg size 1400,800 noenhanced");
    gp = std::regex_replace(gp, std::regex("set output \"[^\"]*\""), "set output \"" + stem + ".svg\"");
    std::ofstream(dir / (stem + ".svg.gp")) << gp;
    const std::string command = "cd '" + dir.string() + "' && gnuplot " + stem + ".svg.gp 2>/dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
    return slurp(dir / (stem + ".svg"));
}

// The numbers gnuplot wrote as tick labels: x labels are centred under the axis, left y labels
// right-aligned against it.
std::vector<std::string> tick_labels(const std::string& svg, char axis) {
    std::vector<std::string> out;
    static const std::regex x_label("text-anchor=\"middle\">\\s*<text> ?([0-9.e+-]+)</text>");
    static const std::regex y_label("text-anchor=\"end\">\\s*<text> ?([0-9.e+-]+)</text>");
    const std::regex& label = axis == 'x' ? x_label : y_label;
    for (std::sregex_iterator it(svg.begin(), svg.end(), label), end; it != end; ++it) out.push_back((*it)[1]);
    return out;
}

}  // namespace

TEST_CASE("Drawn: every plot of a run with one update has tick labels on both axes", "[report][plots][drawn]") {
    TempDir tmp;
    const fs::path dir = report_with_windows(tmp, {});
    for (const char* stem : {"latency_per_node", "coverage_cdf", "throughput", "rolling_quantiles"}) {
        INFO(stem);
        const std::string svg = drawn_as_svg(dir, stem);
        CHECK(tick_labels(svg, 'x').size() >= 2);
        CHECK(tick_labels(svg, 'y').size() >= 2);
    }
    // The check can fail: x labels (centred) are not y labels, and an axis with one label is too few.
    CHECK(tick_labels("text-anchor=\"middle\">\n<text> 0.6</text>", 'y').empty());
    CHECK(tick_labels("text-anchor=\"end\">\n<text> 0.6</text>", 'y').size() == 1);
}

TEST_CASE("Drawn: a big herd's latency plot is one vertical segment per update, fastest to slowest node",
          "[report][plots][drawn]") {
    TempDir tmp;
    Star star(26, "kiwi");
    RunRecord ctx = star.context(tmp.path / "big" / "r");
    ctx.summary = star.rec.summarize();
    write_report(ctx, star.rec, nullptr, {.gnuplot = ""});
    const std::string svg = drawn_as_svg(ctx.dir, "latency_per_node");
    // The band's colour: the key's sample first, then the data.
    static const std::regex band("<path stroke='rgb\\(136, 170, 221\\)'  d='([^']*)'");
    std::vector<std::string> paths;
    for (std::sregex_iterator it(svg.begin(), svg.end(), band), end; it != end; ++it) paths.push_back((*it)[1]);
    REQUIRE(paths.size() == 2);
    static const std::regex segment("M([0-9.]+),([0-9.]+) L([0-9.]+),([0-9.]+)");
    std::smatch m;
    REQUIRE(std::regex_search(paths[1], m, segment));
    CHECK(m[1] == m[3]);                                     // vertical: the update's birth, once
    CHECK(std::stod(m[2]) - std::stod(m[4]) > 100);          // 0.1 to 2.5 ms on the log axis: tall
}

TEST_CASE("Drawn: a CDF of one update still has x tick labels, and a window with no update is named in the key",
          "[report][plots][drawn]") {
    TempDir tmp;
    // Update 1 alone is born in the first window; nothing is born in the second.
    const fs::path dir = report_with_windows(tmp, {{9, 12, FaultWindow::Kind::cut, "A-B"}, {30, 31, FaultWindow::Kind::cut, "C-D"}});
    const std::string svg = drawn_as_svg(dir, "coverage_cdf");
    CHECK(tick_labels(svg, 'x').size() >= 2);
    CHECK(svg.find("<text>W2 cut C-D: no update born in it</text>") != std::string::npos);
    // The check can fail: a range with one value and no tick gets no label.
    CHECK(tick_labels("text-anchor=\"end\">\n<text> 0.6</text>", 'x').empty());
}

TEST_CASE("Throughput: a steady 50 updates/s reads flat, both series share a zero, and the top is not cut",
          "[report][plots]") {
    TempDir tmp;
    FakeClock clock;
    Recorder rec{{"A", "B"}, clock.fn()};
    clock.now += 10ms;               // so that each whole bin holds the same number
    for (int i = 0; i < 350; ++i) {  // one every 20 ms for 7 s
        feed(rec, "A", "IAMAT c" + std::to_string(i) + " +1+2 100", Outcome::stored);
        clock.now += 20ms;
    }
    RunRecord ctx;
    ctx.scenario = "steady";
    ctx.run_id = "r";
    ctx.dir = tmp.path / "steady" / "r";
    ctx.nodes = {"A", "B"};
    ctx.summary = rec.summarize();
    write_report(ctx, rec, nullptr, {.gnuplot = ""});
    const auto rows = lines(slurp(ctx.dir / "throughput.dat"));
    REQUIRE(rows.size() > 4);
    // Every whole bin (not the last, cut short by the run's end) shows the same rate: no square wave.
    for (std::size_t r = 1; r + 2 < rows.size(); ++r) {
        INFO(rows[r]);
        CHECK(rows[r].substr(rows[r].find(' '), 6) == " 50.0 ");
    }
    const std::string gp = slurp(ctx.dir / "throughput.gp");
    CHECK(gp.find("set yrange [0:") != std::string::npos);
    CHECK(gp.find("set link y2 via y*") != std::string::npos);
}

TEST_CASE("A partition over many nodes is labelled by group sizes, summary.json keeps the full sets", "[report][spans]") {
    std::vector<std::string> left, right;
    for (int i = 0; i < 25; ++i) (i < 12 ? left : right).push_back("N" + std::to_string(i));
    const FaultWindow big{5, 8, FaultWindow::Kind::partition, "[N0 ... N24]", 4, {left, right}};
    CHECK(big.name() == "steps[4].partition 12|13");
    const FaultWindow small{5, 8, FaultWindow::Kind::partition, "[A B] [C]", 4, {{"A", "B"}, {"C"}}};
    CHECK(small.label() == "partition [A B] [C]");

    TempDir tmp;
    const fs::path dir = report_with_windows(tmp, {big});
    CHECK(slurp(dir / "latency_per_node.gp").find("title \"W1 partition 12|13\"") != std::string::npos);
    const auto j = nlohmann::json::parse(slurp(dir / "summary.json"));
    REQUIRE(j["faults"].size() == 1);
    CHECK(j["faults"][0]["label"] == "partition 12|13");
    CHECK(j["faults"][0]["groups"] == nlohmann::json::array({left, right}));
}
