// Catch-up (PROTOCOL.md): how long a node takes to hold every record its neighbour holds, with 1k
// and 1M clients, after a restart (it asks, the neighbour walks its table) and after a partition
// heals (the neighbour sends its queue, or, past the queue bound, walks its table). Two nodes, N0 -
// N1, each direction through a relay; the clock starts at the restart or the heal.
#include <random>

#include <benchmark/benchmark.h>

#include "bench_common.hpp"
#include "bench_observer.hpp"
#include "herd/herd.hpp"
#include "load_client.hpp"
#include "scenario/topology.hpp"

namespace herd::bench {

namespace {

enum class Fault { restart, heal };

void BM_CatchUp(benchmark::State& state, Fault fault) {
    const auto clients = static_cast<std::uint64_t>(state.range(0));
    boost::asio::io_context io;
    std::mt19937_64 rng(1);
    BenchObserver observer;
    sim::HerdOptions options;
    options.rng = &rng;
    options.observer = &observer;
    sim::Herd herd(io, sim::make_topology({.kind = "line", .nodes = 2}), options);
    herd.start();
    const auto& n1 = [&]() -> const LocationTable& { return herd.server("N1").node().table(); };
    LoadSpec spec;
    spec.ports = {herd.port("N0")};
    spec.connections = 10;
    spec.window = 64;
    spec.requests = clients;
    spec.request = [&](std::string& out, std::size_t connection, std::uint64_t index) {
        append_iamat(out, "c" + std::to_string(index * spec.connections + connection));
    };
    double seconds = 0, cpu = 0;
    for (auto _ : state) {
        if (fault == Fault::restart) {
            run_load(io, spec, 600s);
            if (!drive(io, [&] { return n1().size() == clients; }, 300s)) {
                state.SkipWithError("N1 did not get every client before the crash");
                break;
            }
            herd.crash("N1");
            herd.restart("N1");
        } else {
            herd.relay("N0", "N1")->cut();
            herd.relay("N1", "N0")->cut();
            run_load(io, spec, 600s);
            herd.relay("N0", "N1")->heal();
            herd.relay("N1", "N0")->heal();
        }
        const auto t0 = Clock::now();
        const double cpu0 = cpu_seconds();
        if (!drive(io, [&] { return n1().size() == clients; }, 300s)) {
            state.SkipWithError("N1 did not catch up on every client");
            break;
        }
        seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        cpu = cpu_seconds() - cpu0;
        state.SetIterationTime(seconds);
    }
    const auto relayed = herd.relay("N0", "N1")->stats();
    herd.stop();
    settle(io, 20ms);
    state.counters["clients"] = static_cast<double>(clients);
    state.counters["catch_up_s"] = seconds;
    state.counters["records_per_s"] = static_cast<double>(clients) / seconds;
    state.counters["cpu_s"] = cpu;
    state.counters["relayed_MB"] = static_cast<double>(relayed.bytes) / 1e6;
    state.counters["queue_overflows"] = static_cast<double>(observer.overflowed);
}

}  // namespace

void register_catch_up_benchmarks() {
    for (const auto& [name, fault] : {std::pair{"CatchUp/Restart", Fault::restart}, std::pair{"CatchUp/Heal", Fault::heal}})
        benchmark::RegisterBenchmark(name, BM_CatchUp, fault)
            ->ArgName("clients")
            ->Arg(1000)
            ->Arg(sized<std::int64_t>(1'000'000, 2000))
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Iterations(1);
}

}  // namespace herd::bench
