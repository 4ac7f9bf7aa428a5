// Generated herds of N = 5, 25, 100, 1000 nodes (grid, and random regular of degree 4): time to
// full coverage, flood lines per update against the exact 2E - (N - 1), and resident memory per
// node. The herd is built once per benchmark; each iteration is one update from a different node.
#include <benchmark/benchmark.h>

#include "bench_common.hpp"
#include "herd_rig.hpp"
#include "load_client.hpp"
#include "scenario/topology.hpp"
#include "serve/descriptor_limit.hpp"

namespace herd::bench {

namespace {

sim::TopologySpec spec_for(const std::string& kind, int n) {
    sim::TopologySpec spec;
    spec.kind = kind;
    if (kind == "grid") {
        // As square as N allows: 5 = 1x5, 25 = 5x5, 100 = 10x10, 1000 = 25x40.
        int rows = 1;
        for (int r = 1; r * r <= n; ++r)
            if (n % r == 0) rows = r;
        spec.rows = rows;
        spec.cols = n / rows;
    } else {
        spec.nodes = n;
        spec.degree = 4;
        spec.seed = 1;
    }
    return spec;
}

void BM_Scale(benchmark::State& state, std::string kind, int n) {
    const HerdConfig config = sim::make_topology(spec_for(kind, n));
    const double nodes = static_cast<double>(config.servers.size());
    const double edges = static_cast<double>(config.links.size());
    const double expected = 2 * edges - (nodes - 1);
    std::vector<double> samples, per_hop;
    std::uint64_t handled = 0, updates = 0, min_msgs = ~0ull, max_msgs = 0;
    double rss_before = 0, rss_after = 0, heap_before = 0, heap_after = 0, setup_s = 0;
    boost::asio::io_context io;
    {
        rss_before = rss_mib();
        heap_before = heap_bytes_in_use();
        HerdRig rig(io, config);
        settle(io, 10ms);
        rss_after = rss_mib();
        heap_after = heap_bytes_in_use();
        setup_s = rig.setup_seconds;
        rig.observer.trace = true;
        const std::uint64_t handled_before = rig.observer.at_handled;
        std::string time_text, line;
        std::uint64_t ns = 0, k = 0;
        for (auto _ : state) {
            const auto& origin = config.servers[(k * 7919 + 13) % config.servers.size()].name;
            int hops = 0;
            for (int d : sim::hop_distances(config, origin)) hops = std::max(hops, d);
            next_stamp(time_text, ns);
            const std::string who = "s" + std::to_string(k++);
            line = "IAMAT " + who + " +34.068930-118.445127 " + time_text + "\n";
            RoundTripClient client(io, rig.port(origin));
            client.round_trip(line);
            const auto took = rig.await_coverage(who, time_text, config.servers.size(), expected, 30s);
            if (!took) {
                state.SkipWithError("an update did not reach every node");
                break;
            }
            state.SetIterationTime(std::chrono::duration<double>(*took).count());
            samples.push_back(micros(*took));
            per_hop.push_back(micros(*took) / std::max(hops, 1));
            ++updates;
        }
        rig.wait_quiet();
        handled = rig.observer.at_handled - handled_before;
        for (const auto& [key, u] : rig.observer.traces()) {
            min_msgs = std::min(min_msgs, u.messages);
            max_msgs = std::max(max_msgs, u.messages);
        }
    }
    settle(io, 5ms);
    const Percentiles p = percentiles(samples);
    state.counters["nodes"] = nodes;
    state.counters["edges"] = edges;
    state.counters["p50_us"] = p.p50;
    state.counters["p99_us"] = p.p99;
    state.counters["per_hop_p50_us"] = percentiles(per_hop).p50;
    state.counters["ratio_to_floor_rtt"] = p.p50 / floor_rtt_p50_us();
    state.counters["msgs_per_update"] = updates ? static_cast<double>(handled) / static_cast<double>(updates) : 0;
    state.counters["msgs_min"] = updates ? static_cast<double>(min_msgs) : 0;
    state.counters["msgs_max"] = static_cast<double>(max_msgs);
    state.counters["expected_2E_minus_N_minus_1"] = expected;
    // RSS grows only where malloc could not reuse memory an earlier benchmark freed: a floor, and
    // 0 for small herds. The heap in use is what the herd holds (sockets' kernel buffers excluded).
    state.counters["rss_MiB_per_node"] = (rss_after - rss_before) / nodes;
    state.counters["heap_KiB_per_node"] = (heap_after - heap_before) / 1024 / nodes;
    state.counters["setup_s"] = setup_s;
}

// Raises RLIMIT_NOFILE to what the herd needs; when the process may not, the row is not run and
// its label says why.
bool descriptors_for(benchmark::State& state, const HerdConfig& config, bool relays) {
    const std::uint64_t wanted = sim::descriptors_needed(config, relays, false);
    const auto allowed = herd::raise_descriptor_limit(wanted);
    if (allowed >= wanted) return true;
    for (auto _ : state) state.SetIterationTime(0);
    state.SetLabel("not run: needs " + std::to_string(wanted) + " descriptors, RLIMIT_NOFILE allows " + std::to_string(allowed));
    return false;
}

// An empty herd's start-up as a run has it (a run's link policy; every link through a relay, or
// `direct`): from start() to the end of the start-up exchange (HerdRig), each iteration a new herd.
// A herd that needs more descriptors than RLIMIT_NOFILE allows is not run; its label says so.
void BM_StartUp(benchmark::State& state, int n, bool relays) {
    const HerdConfig config = sim::make_topology(spec_for("random", n));
    if (!descriptors_for(state, config, relays)) return;
    std::vector<double> seconds, cpu;
    boost::asio::io_context io;
    for (auto _ : state) {
        {
            HerdRig rig(io, config, {}, sim::HerdOptions{}.server.link_policy, relays);
            state.SetIterationTime(rig.setup_seconds);
            seconds.push_back(rig.setup_seconds);
            cpu.push_back(rig.setup_cpu_seconds);
        }
        settle(io, 5ms);
    }
    state.counters["nodes"] = static_cast<double>(config.servers.size());
    state.counters["links"] = static_cast<double>(2 * config.links.size());
    state.counters["start_up_s_p50"] = percentiles(seconds).p50;
    state.counters["start_up_s_max"] = percentiles(seconds).max;
    state.counters["start_up_cpu_s_p50"] = percentiles(cpu).p50;
}

// A big herd's memory: the herd starts (relays or `direct`), then each iteration floods one update
// to every node. Resident memory after the floods and the process's peak (getrusage: run this row
// alone for the herd's own peak). Not run, as BM_StartUp, when the descriptors are not there.
void BM_FloodMemory(benchmark::State& state, int n, bool relays) {
    const HerdConfig config = sim::make_topology(spec_for("random", n));
    if (!descriptors_for(state, config, relays)) return;
    const double expected = 2.0 * static_cast<double>(config.links.size()) - static_cast<double>(config.servers.size() - 1);
    double rss_before = 0, rss_started = 0, rss_flooded = 0;
    boost::asio::io_context io;
    {
        rss_before = rss_mib();
        HerdRig rig(io, config, {}, sim::HerdOptions{}.server.link_policy, relays);
        rss_started = rss_mib();
        rig.observer.trace = true;
        std::string time_text, line;
        std::uint64_t ns = 0, k = 0;
        for (auto _ : state) {
            next_stamp(time_text, ns);
            const std::string who = "m" + std::to_string(k++);
            line = "IAMAT " + who + " +34.068930-118.445127 " + time_text + "\n";
            RoundTripClient client(io, rig.port(config.servers[k % config.servers.size()].name));
            client.round_trip(line);
            const auto took = rig.await_coverage(who, time_text, config.servers.size(), expected, 60s);
            if (!took) {
                state.SkipWithError("an update did not reach every node");
                break;
            }
            state.SetIterationTime(std::chrono::duration<double>(*took).count());
        }
        rig.wait_quiet();
        rss_flooded = rss_mib();
    }
    settle(io, 5ms);
    state.counters["nodes"] = static_cast<double>(config.servers.size());
    state.counters["links"] = static_cast<double>(2 * config.links.size());
    state.counters["herd_started_MiB"] = rss_started - rss_before;
    state.counters["rss_MiB"] = rss_flooded;
    state.counters["peak_rss_MiB"] = peak_rss_mib();
}

}  // namespace

void register_scale_benchmarks() {
    for (const bool relays : {true, false})
        benchmark::RegisterBenchmark(("Scale/Memory/random/N:2000/" + std::string(relays ? "relayed" : "direct")).c_str(),
                                     BM_FloodMemory, smoke() ? 25 : 2000, relays)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Iterations(sized<benchmark::IterationCount>(5, 1));
    for (const auto& [n, relays] : {std::pair{200, true}, std::pair{1000, true}, std::pair{2000, true},
                                    std::pair{200, false}, std::pair{1000, false}, std::pair{2000, false}})
        benchmark::RegisterBenchmark(("Scale/StartUp/random/N:" + std::to_string(n) + (relays ? "/relayed" : "/direct")).c_str(),
                                     BM_StartUp, smoke() ? std::min(n, 25) : n, relays)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Iterations(sized<benchmark::IterationCount>(n >= 1000 ? 2 : 5, 1));
    for (const char* kind : {"grid", "random"})
        for (int n : {5, 25, 100, 1000}) {
            // Smoke: the same benchmarks on at most 25 nodes.
            const int size = smoke() ? std::min(n, 25) : n;
            const auto updates = smoke() ? 3 : (n >= 1000 ? 40 : 200);
            benchmark::RegisterBenchmark(("Scale/" + std::string(kind) + "/N:" + std::to_string(n)).c_str(), BM_Scale,
                                         std::string(kind), size)
                ->UseManualTime()
                ->Unit(benchmark::kMicrosecond)
                ->Iterations(updates);
        }
}

}  // namespace herd::bench
