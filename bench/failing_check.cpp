// A suite with one check that holds and one that fails, run as herdsim_bench runs its own: CTest
// proves with it that a failed check fails the process (and that a held one does not).
#include <benchmark/benchmark.h>

#include "run_checked.hpp"

namespace {

void CheckHolds(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(state.iterations());
}

void CheckFails(benchmark::State& state) {
    for (auto _ : state) state.SkipWithError("deliberately failed check");
}

}  // namespace

BENCHMARK(CheckHolds)->Iterations(1);
BENCHMARK(CheckFails)->Iterations(1);

int main(int argc, char** argv) { return herd::bench::run_checked_benchmarks(argc, argv); }
