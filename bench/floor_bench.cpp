// The floor: a bare line-echo server on one io_context, driven by the same client as the herd.
// Its round trip and throughput are what every herd figure is divided by.
#include <map>
#include <optional>

#include <benchmark/benchmark.h>

#include "bench_common.hpp"
#include "echo_floor.hpp"
#include "load_client.hpp"

namespace herd::bench {

namespace {

struct FloorFigures {
    std::optional<Percentiles> rtt;           // microseconds
    std::map<std::size_t, double> throughput;  // connections -> requests per second
};

FloorFigures& figures() {
    static FloorFigures f;
    return f;
}

std::vector<double> echo_round_trips(boost::asio::io_context& io, std::uint16_t port, std::size_t n) {
    RoundTripClient client(io, port);
    std::vector<double> us;
    us.reserve(n);
    std::string line;
    for (std::size_t i = 0; i < n; ++i) {
        line.clear();
        append_load_iamat(line, 0, i);
        us.push_back(micros(client.round_trip(line)));
    }
    return us;
}

LoadSpec echo_load(std::uint16_t port, std::size_t connections) {
    LoadSpec spec;
    spec.ports = {port};
    spec.connections = connections;
    spec.window = load_window;
    spec.requests = load_requests();
    spec.request = append_load_iamat;
    return spec;
}

void BM_FloorRoundTrip(benchmark::State& state) {
    boost::asio::io_context io;
    std::vector<double> samples;
    {
        EchoServer echo(io);
        RoundTripClient client(io, echo.port());
        std::string line;
        std::uint64_t i = 0;
        for (auto _ : state) {
            line.clear();
            append_load_iamat(line, 0, i++);
            const auto took = client.round_trip(line);
            state.SetIterationTime(std::chrono::duration<double>(took).count());
            samples.push_back(micros(took));
        }
    }
    settle(io, 5ms);
    const Percentiles p = percentiles(samples);
    figures().rtt = p;
    state.counters["p50_us"] = p.p50;
    state.counters["p99_us"] = p.p99;
}

void BM_FloorThroughput(benchmark::State& state) {
    const auto connections = static_cast<std::size_t>(state.range(0));
    boost::asio::io_context io;
    double seconds = 0;
    std::uint64_t requests = 0;
    {
        EchoServer echo(io);
        const LoadSpec spec = echo_load(echo.port(), connections);
        for (auto _ : state) {
            const LoadResult r = run_load(io, spec);
            state.SetIterationTime(r.seconds());
            seconds += r.seconds();
            requests += r.replied;
        }
    }
    settle(io, 5ms);
    state.SetItemsProcessed(static_cast<std::int64_t>(requests));
    figures().throughput[connections] = static_cast<double>(requests) / seconds;
    state.counters["req_per_s"] = static_cast<double>(requests) / seconds;
}

}  // namespace

double floor_rtt_p50_us() {
    if (!figures().rtt) {
        boost::asio::io_context io;
        {
            EchoServer echo(io);
            figures().rtt = percentiles(echo_round_trips(io, echo.port(), sized<std::size_t>(5000, 20)));
        }
        settle(io, 5ms);
    }
    return figures().rtt->p50;
}

double floor_rtt_p99_us() {
    floor_rtt_p50_us();
    return figures().rtt->p99;
}

double floor_throughput(std::size_t connections) {
    auto& known = figures().throughput;
    if (!known.count(connections)) {
        boost::asio::io_context io;
        {
            EchoServer echo(io);
            const LoadResult r = run_load(io, echo_load(echo.port(), connections));
            known[connections] = static_cast<double>(r.replied) / r.seconds();
        }
        settle(io, 5ms);
    }
    return known[connections];
}

void register_floor_benchmarks() {
    benchmark::RegisterBenchmark("Floor/RoundTrip", BM_FloorRoundTrip)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond)
        ->Iterations(sized<benchmark::IterationCount>(20000, 20));
    for (int c : {1, 10, 100})
        benchmark::RegisterBenchmark("Floor/Throughput", BM_FloorThroughput)
            ->ArgName("C")
            ->Arg(c)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Iterations(sized<benchmark::IterationCount>(5, 1));
}

}  // namespace herd::bench
