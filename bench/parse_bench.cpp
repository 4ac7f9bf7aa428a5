// The pure core's per-message costs: one line parsed, one AT reply formatted.
#include <benchmark/benchmark.h>

#include "bench_common.hpp"
#include "protocol/command.hpp"
#include "protocol/node.hpp"

namespace herd::bench {

namespace {

constexpr std::string_view iamat_line = "IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997";
constexpr std::string_view whatsat_line = "WHATSAT kiwi.cs.ucla.edu 10 5";
constexpr std::string_view flood_line =
    "AT Alford +0.263873386 kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997 Alford";

void BM_Parse(benchmark::State& state, std::string_view line, std::size_t expected_index) {
    for (auto _ : state) {
        std::string_view input = line;
        benchmark::DoNotOptimize(input);
        Command command = parse_line(input);
        benchmark::DoNotOptimize(command);
        if (command.index() != expected_index) state.SkipWithError("the line did not parse as expected");
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(line.size()));
}

// The AT reply to an IAMAT, as the server makes it: Node::handle() on a node that already holds a
// newer record for the client, so the reply is formatted (difference, AT line, newline) and
// nothing is stored or flooded: the formatting cost plus one table lookup.
void BM_FormatAtReply(benchmark::State& state) {
    Node node("Alford", {"Hamilton", "Welsh"});
    Nanos now = 1'520'023'935'182'837'383;
    node.handle(parse_line("IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1520023936.918963997"), now);
    const Command command = parse_line(iamat_line);
    for (auto _ : state) {
        Effects effects = node.handle(command, now++);
        benchmark::DoNotOptimize(effects);
        if (effects.outcome != Effects::Outcome::stale) state.SkipWithError("expected a reply only");
    }
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

void register_parse_benchmarks() {
    const auto tune = [](benchmark::internal::Benchmark* b) {
        b->Unit(benchmark::kNanosecond);
        if (smoke()) b->Iterations(10);
    };
    tune(benchmark::RegisterBenchmark("Parse/IAMAT", BM_Parse, iamat_line, std::size_t{0}));
    tune(benchmark::RegisterBenchmark("Parse/WHATSAT", BM_Parse, whatsat_line, std::size_t{1}));
    tune(benchmark::RegisterBenchmark("Parse/Flood", BM_Parse, flood_line, std::size_t{2}));
    tune(benchmark::RegisterBenchmark("Format/ATReply", BM_FormatAtReply));
}

}  // namespace herd::bench
