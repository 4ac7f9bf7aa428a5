#pragma once
// herdsim shrink FILE: the smallest scenario that still fails the way FILE does, by delta debugging
// over its faults and client operations (scenario/shrink.hpp). `herdsim chaos --shrink` uses it on a
// failing seed's schedule.
#include <cstddef>
#include <filesystem>
#include <string>

namespace herdsim::cli {

struct ShrinkArgs {
    std::filesystem::path file;
    int tries = 3;            // runs per candidate: it still fails when most of them fail
    std::size_t jobs = 4;     // runs at once (a run mostly waits on its schedule's clock)
    std::string target;       // a target file: external server processes
    std::filesystem::path out_dir = "results";
    unsigned run_timeout_s = 120;  // beyond the schedule's last at_ms: a run still going is killed, HUNG
    // A candidate's stretches between timed steps longer than this are cut to it (shrink_time.hpp);
    // 0 keeps every step's time.
    unsigned max_gap_ms = 1000;
};

// 0 a smaller (or already minimal) failing scenario written to <out>/shrink-<name>/scenario.json and
// the command that replays it printed; 1 no expectation failed in every one of its tries; 2 could not run.
int shrink(const ShrinkArgs& args);

}  // namespace herdsim::cli
