// One million distinct clients in the five-node herd: every IAMAT goes over a real socket to one
// of the five servers and floods to the four others, so each server's own table ends up holding
// every client (5 million records in all). Resident memory is read before and after. The IAMATs are
// written as fast as the servers take them (50 connections, 256 in flight on each): the herd's
// backpressure, not the load, keeps the floods within the peer queues, and no queue may overflow.
#include <malloc.h>

#include <benchmark/benchmark.h>

#include "bench_common.hpp"
#include "herd_rig.hpp"
#include "load_client.hpp"

namespace herd::bench {

namespace {

void BM_MillionClients(benchmark::State& state) {
    const auto clients = static_cast<std::uint64_t>(state.range(0));
    constexpr std::size_t connections = 50;  // ten per node
    boost::asio::io_context io;
    double rss_before = 0, rss_after = 0, rss_trimmed = 0, fill_s = 0;
    std::size_t records = 0;
    {
        HerdRig rig(io, *preset("fall17"));
        settle(io, 10ms);
        malloc_trim(0);
        rss_before = rss_mib();
        LoadSpec spec;
        spec.ports = rig.ports();
        spec.connections = connections;
        spec.window = 256;
        spec.requests = clients;
        spec.request = [](std::string& out, std::size_t connection, std::uint64_t index) {
            char client[24];
            const int n = std::snprintf(client, sizeof client, "m%07llu",
                                        static_cast<unsigned long long>(index * connections + connection));
            append_iamat(out, std::string_view(client, static_cast<std::size_t>(n)));
        };
        for (auto _ : state) {
            const auto t0 = Clock::now();
            run_load(io, spec, 600s);
            const std::uint64_t target = clients * (rig.nodes() - 1);
            if (!drive(io, [&] { return rig.observer.at_stored >= target; }, 120s)) {
                state.SkipWithError("not every client reached every node");
                break;
            }
            fill_s = std::chrono::duration<double>(Clock::now() - t0).count();
            state.SetIterationTime(fill_s);
        }
        rig.wait_quiet();
        for (const auto& s : rig.herd->config().servers) records += rig.herd->server(s.name).node().table().size();
        if (records != clients * rig.nodes()) state.SkipWithError("a table does not hold every client");
        if (rig.observer.overflowed > 0) state.SkipWithError("a peer queue overflowed");
        rss_after = rss_mib();
        malloc_trim(0);
        rss_trimmed = rss_mib();
    }
    settle(io, 5ms);
    state.counters["clients"] = static_cast<double>(clients);
    state.counters["records"] = static_cast<double>(records);
    state.counters["fill_s"] = fill_s;
    state.counters["fill_clients_per_s"] = static_cast<double>(clients) / fill_s;
    state.counters["rss_MiB"] = rss_after;
    state.counters["rss_MiB_after_trim"] = rss_trimmed;
    state.counters["herd_MiB"] = rss_after - rss_before;
    state.counters["bytes_per_record"] = (rss_after - rss_before) * 1024 * 1024 / static_cast<double>(records);
}

}  // namespace

void register_memory_benchmarks() {
    benchmark::RegisterBenchmark("Memory/FiveNodeHerd", BM_MillionClients)
        ->ArgName("clients")
        ->Arg(sized<std::int64_t>(1'000'000, 10'000))
        ->UseManualTime()
        ->Unit(benchmark::kSecond)
        ->Iterations(1);
}

}  // namespace herd::bench
