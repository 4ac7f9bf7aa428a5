#pragma once
// Whether a shrink candidate still fails, from runs whose timing is real: it fails when more than
// half of its tries fail the way the original scenario did, and passes as soon as that can no longer
// happen. A failure the machine's timing causes now and then (a herd that converged a moment late
// under load, one run in three) is so never taken for the failure to keep; and a candidate is
// decided in as few runs as its outcomes allow (two of three when they agree).
#include <cstddef>
#include <optional>
#include <vector>

namespace herd::sim {

struct CandidateRuns {
    int started = 0;
    int ended = 0;
    int failed = 0;  // ended failing the way the original did

    bool fails(int tries) const { return failed > tries / 2; }
    bool passes(int tries) const { return ended - failed >= tries - tries / 2; }
    bool decided(int tries) const { return fails(tries) || passes(tries); }
    // The fewest further runs that could decide it.
    int needed(int tries) const;
};

// The candidate of the batch to run once more, or none for now: none once one fails (the batch has
// its answer), else first a run that may decide an undecided candidate (fewer of its runs under way
// than could decide it), then one that may turn out not to be needed (to keep every slot busy).
// Counts the run as started.
std::optional<std::size_t> next_run(std::vector<CandidateRuns>& batch, int tries);

// The first candidate of the batch that fails, if one does.
std::optional<std::size_t> failing(const std::vector<CandidateRuns>& batch, int tries);

}  // namespace herd::sim
