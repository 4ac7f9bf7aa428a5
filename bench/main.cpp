// herdsim_bench: the Google Benchmark suite. `--smoke` (CTest) makes every benchmark one short
// iteration on tiny sizes; every other flag is Google Benchmark's. Exits 1 when a check failed.
#include <cstring>
#include <vector>

#include "bench_common.hpp"
#include "run_checked.hpp"

int main(int argc, char** argv) {
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--smoke") == 0)
            herd::bench::set_smoke(true);
        else
            args.push_back(argv[i]);
    }
    herd::bench::raise_descriptor_limit();

    herd::bench::register_floor_benchmarks();
    herd::bench::register_parse_benchmarks();
    herd::bench::register_herd_benchmarks();
    herd::bench::register_scale_benchmarks();
    herd::bench::register_memory_benchmarks();
    herd::bench::register_catch_up_benchmarks();

    return herd::bench::run_checked_benchmarks(static_cast<int>(args.size()), args.data());
}
