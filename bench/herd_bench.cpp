// The five-node herd (fall17, a ring) in one process: IAMAT round trip and throughput with the
// full flood, flood latency to full coverage, and WHATSAT throughput against the mock Places.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <benchmark/benchmark.h>

#include "bench_common.hpp"
#include "herd_rig.hpp"
#include "load_client.hpp"
#include "scenario/topology.hpp"

namespace herd::bench {

namespace {

HerdConfig ring5() { return *preset("fall17"); }  // Alford-Hamilton-Holiday-Ball-Welsh-Alford
HerdConfig random200() { return sim::make_topology({.kind = "random", .nodes = 200, .degree = 4, .seed = 1}); }

// Sequential IAMATs to Alford: one in flight, each a new update; the next goes only once the
// previous one has reached every node, so the figure is one request's round trip on a herd
// that is otherwise idle.
void BM_IamatRoundTrip(benchmark::State& state) {
    boost::asio::io_context io;
    std::vector<double> samples;
    {
        HerdRig rig(io, ring5());
        RoundTripClient client(io, rig.port("Alford"));
        const std::uint64_t per_update = rig.nodes() - 1;
        std::string line;
        std::uint64_t i = 0;
        for (auto _ : state) {
            line.clear();
            append_load_iamat(line, 0, i++);
            const std::uint64_t target = rig.observer.at_stored + per_update;
            const auto took = client.round_trip(line);
            state.SetIterationTime(std::chrono::duration<double>(took).count());
            samples.push_back(micros(took));
            if (!drive(io, [&] { return rig.observer.at_stored >= target; }, 5s)) {
                state.SkipWithError("an update did not reach every node");
                break;
            }
        }
    }
    settle(io, 5ms);
    const Percentiles p = percentiles(samples);
    state.counters["p50_us"] = p.p50;
    state.counters["p99_us"] = p.p99;
    state.counters["floor_p50_us"] = floor_rtt_p50_us();
    state.counters["ratio_to_floor"] = p.p50 / floor_rtt_p50_us();
    state.counters["ratio_to_floor_p99"] = p.p99 / floor_rtt_p99_us();
}

// C connections (spread over the five nodes; C = 1: Alford), each with a window of IAMATs in
// flight. An iteration ends when every reply is back AND every update has been stored by all five
// nodes: the throughput includes the whole flood.
void BM_IamatThroughput(benchmark::State& state, bool logging, LinkPolicy policy) {
    const auto connections = static_cast<std::size_t>(state.range(0));
    boost::asio::io_context io;
    double seconds = 0, reply_seconds = 0, cpu = 0;
    std::uint64_t requests = 0;
    std::filesystem::path log_dir;
    if (logging) log_dir = std::filesystem::temp_directory_path() / ("herdsim-bench-logs-" + std::to_string(getpid()));
    {
        HerdRig rig(io, ring5(), log_dir, policy);
        LoadSpec spec;
        spec.ports = rig.ports();
        spec.connections = connections;
        spec.window = load_window;
        spec.requests = load_requests();
        spec.request = append_load_iamat;
        const std::uint64_t per_update = rig.nodes() - 1;
        for (auto _ : state) {
            const double cpu_before = cpu_seconds();
            const std::uint64_t target = rig.observer.at_stored + spec.requests * per_update;
            const LoadResult r = run_load(io, spec);
            if (!drive(io, [&] { return rig.observer.at_stored >= target; }, 60s)) {
                state.SkipWithError("updates did not reach every node");
                break;
            }
            // drive() checks after every handler, so this is the moment the last node stored.
            const auto end = std::max(r.replies, Clock::now());
            cpu += cpu_seconds() - cpu_before;
            const double s = std::chrono::duration<double>(end - r.start).count();
            state.SetIterationTime(s);
            seconds += s;
            reply_seconds += r.seconds();
            requests += r.replied;
        }
        if (rig.observer.overflowed > 0) state.SkipWithError("a peer queue overflowed");
    }
    settle(io, 5ms);
    if (logging) std::filesystem::remove_all(log_dir);
    state.SetItemsProcessed(static_cast<std::int64_t>(requests));
    const double rate = static_cast<double>(requests) / seconds;
    state.counters["req_per_s"] = rate;
    state.counters["replies_only_req_per_s"] = static_cast<double>(requests) / reply_seconds;
    state.counters["floor_req_per_s"] = floor_throughput(connections);
    state.counters["ratio_to_floor"] = rate / floor_throughput(connections);
    state.counters["cpu_us_per_iamat"] = requests ? cpu * 1e6 / static_cast<double>(requests) : 0;
}

// One update at a time from the config's first node (Alford on the ring); the time from it storing
// the update to the last live node storing it. With Welsh down the ring is a line of four and the
// farthest node is three hops away. `idle` between updates (untimed) lets per_burst links close,
// so that every hop of the next update opens a connection first. `relays`: every link crosses a
// Relay, as in a run.
void BM_Flood(benchmark::State& state, HerdConfig config, bool one_down, LinkPolicy policy, Clock::duration idle,
              bool relays) {
    boost::asio::io_context io;
    std::vector<double> samples;
    std::uint64_t handled = 0, updates = 0;
    double cpu = 0;
    const std::string origin = config.servers.front().name, dead = "Welsh";
    HerdConfig live = config;
    if (one_down) std::erase_if(live.links, [&](const auto& l) { return l.first == dead || l.second == dead; });
    int hops = 0;
    std::size_t live_nodes = 0;
    for (int d : sim::hop_distances(live, origin))
        if (d >= 0) hops = std::max(hops, d), ++live_nodes;
    const double expected = 2.0 * static_cast<double>(live.links.size()) - static_cast<double>(live_nodes - 1);
    {
        HerdRig rig(io, config, {}, policy, relays);
        if (one_down) {
            rig.herd->crash(dead);
            settle(io, 20ms);
        }
        rig.observer.trace = true;
        RoundTripClient client(io, rig.port(origin));
        std::string time_text, line;
        std::uint64_t ns = 0, i = 0;
        const std::uint64_t handled_before = rig.observer.at_handled;
        for (auto _ : state) {
            if (idle > Clock::duration::zero()) settle(io, idle);
            next_stamp(time_text, ns);
            const std::string who = "f" + std::to_string(i++ % 1024);
            line = "IAMAT " + who + " +34.068930-118.445127 " + time_text + "\n";
            const double cpu_before = cpu_seconds();
            client.round_trip(line);
            const auto took = rig.await_coverage(who, time_text, live_nodes, expected, 5s);
            cpu += cpu_seconds() - cpu_before;
            if (!took) {
                state.SkipWithError("an update did not reach every live node");
                break;
            }
            state.SetIterationTime(std::chrono::duration<double>(*took).count());
            samples.push_back(micros(*took));
            rig.observer.clear_traces();
            ++updates;
        }
        rig.wait_quiet();
        handled = rig.observer.at_handled - handled_before;
    }
    settle(io, 5ms);
    const Percentiles p = percentiles(samples);
    state.counters["p50_us"] = p.p50;
    state.counters["p99_us"] = p.p99;
    state.counters["hops"] = hops;
    state.counters["per_hop_p50_us"] = p.p50 / hops;
    state.counters["floor_rtt_p50_us"] = floor_rtt_p50_us();
    state.counters["ratio_to_floor_rtt"] = p.p50 / floor_rtt_p50_us();
    state.counters["msgs_per_update"] = updates ? static_cast<double>(handled) / static_cast<double>(updates) : 0;
    state.counters["expected_2E_minus_N_minus_1"] = expected;
    state.counters["cpu_us_per_iamat"] = updates ? cpu * 1e6 / static_cast<double>(updates) : 0;
    state.counters["flood_lines_per_cpu_s"] = cpu > 0 ? static_cast<double>(handled) / cpu : 0;
}

// A sustained storm: C client connections spread over every node, each keeping a window of IAMATs
// in flight, every one a new update that floods the whole herd. An iteration ends once every
// update has cost its 2E - (N - 1) flood lines and the herd is quiet. The figure is flood lines
// handled per CPU-second of the whole process (herd, relays, clients and loop), beside the echo
// floor's requests per second at the same C in this run: a line the floor echoes is the least a
// line can cost on this loop.
void BM_Storm(benchmark::State& state, HerdConfig config, bool relays) {
    const auto connections = static_cast<std::size_t>(state.range(0));
    boost::asio::io_context io;
    double cpu = 0, seconds = 0;
    std::uint64_t handled = 0, updates = 0;
    const double per_update = 2.0 * static_cast<double>(config.links.size()) - static_cast<double>(config.servers.size() - 1);
    {
        HerdRig rig(io, config, {}, sim::HerdOptions{}.server.link_policy, relays);
        LoadSpec spec;
        spec.ports = rig.ports();
        spec.connections = connections;
        spec.window = load_window;
        spec.requests = sized<std::uint64_t>(1000, 20);
        spec.request = append_load_iamat;
        for (auto _ : state) {
            const double cpu_before = cpu_seconds();
            const auto t0 = Clock::now();
            const std::uint64_t before = rig.observer.at_handled;
            const auto target = before + static_cast<std::uint64_t>(static_cast<double>(spec.requests) * per_update);
            const LoadResult r = run_load(io, spec);
            if (!drive(io, [&] { return rig.observer.at_handled >= target; }, 120s)) {
                state.SkipWithError("updates did not reach every node");
                break;
            }
            rig.wait_quiet();
            const double s = std::chrono::duration<double>(Clock::now() - t0).count();
            cpu += cpu_seconds() - cpu_before;
            state.SetIterationTime(s);
            seconds += s;
            handled += rig.observer.at_handled - before;
            updates += r.replied;
        }
        if (rig.observer.overflowed > 0) state.SkipWithError("a peer queue overflowed");
    }
    settle(io, 5ms);
    const double floor = floor_throughput(connections);
    state.counters["updates"] = static_cast<double>(updates);
    state.counters["msgs_per_update"] = updates ? static_cast<double>(handled) / static_cast<double>(updates) : 0;
    state.counters["expected_2E_minus_N_minus_1"] = per_update;
    state.counters["flood_lines_per_s"] = seconds > 0 ? static_cast<double>(handled) / seconds : 0;
    state.counters["flood_lines_per_cpu_s"] = cpu > 0 ? static_cast<double>(handled) / cpu : 0;
    state.counters["floor_req_per_s"] = floor;
    state.counters["ratio_to_floor"] = cpu > 0 ? static_cast<double>(handled) / cpu / floor : 0;
}

std::string places_sample() {
    std::ifstream in(std::string(HERDSIM_BENCH_DATA_DIR) + "/places/nearbysearch_ok_ucla_2022_bound5.json");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// WHATSATs on C connections spread over the five nodes; each one costs the node a real HTTP
// request to the mock Places, which answers at once with a five-result sample.
void BM_WhatsatThroughput(benchmark::State& state) {
    const auto connections = static_cast<std::size_t>(state.range(0));
    boost::asio::io_context io;
    double seconds = 0;
    std::uint64_t requests = 0;
    {
        HerdRig rig(io, ring5());
        if (std::string body = places_sample(); !body.empty()) rig.places.add_rule({.body = body});
        RoundTripClient setup(io, rig.port("Alford"));
        setup.round_trip("IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997\n");
        rig.wait_quiet();
        LoadSpec spec;
        spec.ports = rig.ports();
        spec.connections = connections;
        spec.window = 4;
        spec.requests = sized<std::uint64_t>(3000, 20);
        spec.reply_end = ReplyEnd::blank_line;
        spec.request = [](std::string& out, std::size_t, std::uint64_t) { out += "WHATSAT kiwi.cs.ucla.edu 10 5\n"; };
        for (auto _ : state) {
            const LoadResult r = run_load(io, spec);
            state.SetIterationTime(r.seconds());
            seconds += r.seconds();
            requests += r.replied;
        }
        if (rig.observer.whatsat != requests) state.SkipWithError("not every WHATSAT reached the Places mock");
    }
    settle(io, 5ms);
    state.SetItemsProcessed(static_cast<std::int64_t>(requests));
    state.counters["req_per_s"] = static_cast<double>(requests) / seconds;
    state.counters["floor_req_per_s"] = floor_throughput(connections);
    state.counters["ratio_to_floor"] = static_cast<double>(requests) / seconds / floor_throughput(connections);
}

}  // namespace

void register_herd_benchmarks() {
    benchmark::RegisterBenchmark("Herd/IAMAT/RoundTrip", BM_IamatRoundTrip)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond)
        ->Iterations(sized<benchmark::IterationCount>(10000, 10));
    for (int c : {1, 10, 100})
        benchmark::RegisterBenchmark("Herd/IAMAT/Throughput", BM_IamatThroughput, false, LinkPolicy::per_burst)
            ->ArgName("C")
            ->Arg(c)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Iterations(sized<benchmark::IterationCount>(5, 1));
    benchmark::RegisterBenchmark("Herd/IAMAT/ThroughputWithLogs", BM_IamatThroughput, true, LinkPolicy::per_burst)
        ->ArgName("C")
        ->Arg(100)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(sized<benchmark::IterationCount>(3, 1));
    for (bool one_down : {false, true})
        benchmark::RegisterBenchmark(one_down ? "Herd/Flood/Ring5OneDown" : "Herd/Flood/Ring5", BM_Flood, ring5(),
                                     one_down, LinkPolicy::per_burst, Clock::duration::zero(), false)
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond)
            ->Iterations(sized<benchmark::IterationCount>(5000, 10));
    // The link policies side by side: flood latency back to back (per_burst links stay open within
    // the linger) and with 10 ms idle before each update (every per_burst hop connects first), and
    // CPU per IAMAT under load at C = 10. The relayed rows are what a run costs: every link crosses
    // a relay, on the seed's ring and on a 200-node random herd of degree 4; "default" is the
    // policy a run's herd gets when the scenario does not ask for one.
    const std::pair<LinkPolicy, std::string> policies[] = {
        {LinkPolicy::per_burst, "per_burst"}, {LinkPolicy::persistent, "persistent"},
        {sim::HerdOptions{}.server.link_policy, "default"}};
    for (const auto& [policy, name] : policies) {
        for (const auto& [idle, spacing] : {std::pair{Clock::duration::zero(), "back_to_back"}, std::pair<Clock::duration, const char*>{10ms, "idle_10ms"}})
            benchmark::RegisterBenchmark(("Herd/Links/" + name + "/Flood/Ring5/" + spacing).c_str(), BM_Flood, ring5(),
                                         false, policy, idle, false)
                ->UseManualTime()
                ->Unit(benchmark::kMicrosecond)
                ->Iterations(sized<benchmark::IterationCount>(1000, 5));
        for (const auto& [config, herd] : {std::pair{ring5(), "Ring5"}, std::pair{random200(), "Random200"}})
            benchmark::RegisterBenchmark(("Herd/Links/" + name + "/Flood/" + herd + "/relayed_idle_10ms").c_str(),
                                         BM_Flood, config, false, policy, 10ms, true)
                ->UseManualTime()
                ->Unit(benchmark::kMicrosecond)
                ->Iterations(sized<benchmark::IterationCount>(herd == std::string("Ring5") ? 300 : 60, 3));
        benchmark::RegisterBenchmark(("Herd/Links/" + name + "/IAMAT/Throughput").c_str(), BM_IamatThroughput,
                                     false, policy)
            ->ArgName("C")
            ->Arg(10)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Iterations(sized<benchmark::IterationCount>(5, 1));
    }
    // What a run's herd relays in a sustained storm, every link through a relay, and without relays.
    for (const bool relays : {true, false})
        benchmark::RegisterBenchmark(relays ? "Herd/Storm/Random200/relayed" : "Herd/Storm/Random200/direct", BM_Storm,
                                     random200(), relays)
            ->ArgName("C")
            ->Arg(10)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Iterations(sized<benchmark::IterationCount>(2, 1));
    for (int c : {1, 10, 100})
        benchmark::RegisterBenchmark("Herd/WHATSAT/Throughput", BM_WhatsatThroughput)
            ->ArgName("C")
            ->Arg(c)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Iterations(sized<benchmark::IterationCount>(3, 1));
}

}  // namespace herd::bench
