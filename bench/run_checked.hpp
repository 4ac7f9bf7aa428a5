#pragma once
// Google Benchmark's main, except that a failed correctness check fails the process: a benchmark
// that calls state.SkipWithError() makes the exit code 1, so CTest's bench smoke test can fail.

namespace herd::bench {

// Parses Google Benchmark's flags, runs what is registered, and names on stderr every benchmark
// whose check failed. Returns 0 when every check held, 1 otherwise (or for an unknown flag).
int run_checked_benchmarks(int argc, char** argv);

}  // namespace herd::bench
