#include "run_checked.hpp"

#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace herd::bench {

namespace {

// The console display, plus a note of every run whose check failed.
class CheckingReporter : public benchmark::ConsoleReporter {
public:
    CheckingReporter() : ConsoleReporter(::isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs)
            if (run.error_occurred) failed.push_back(run.benchmark_name() + ": " + run.error_message);
        ConsoleReporter::ReportRuns(runs);
    }

    std::vector<std::string> failed;
};

}  // namespace

int run_checked_benchmarks(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    CheckingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    for (const auto& failure : reporter.failed) std::cerr << "herdsim_bench: check failed: " << failure << "\n";
    if (reporter.failed.empty()) return 0;
    std::cerr << "herdsim_bench: " << reporter.failed.size() << " benchmark(s) failed their check\n";
    return 1;
}

}  // namespace herd::bench
