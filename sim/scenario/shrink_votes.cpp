#include "scenario/shrink_votes.hpp"

#include <algorithm>

namespace herd::sim {

int CandidateRuns::needed(int tries) const {
    return std::min(tries / 2 + 1 - failed, tries - tries / 2 - (ended - failed));
}

std::optional<std::size_t> next_run(std::vector<CandidateRuns>& batch, int tries) {
    if (failing(batch, tries)) return std::nullopt;
    for (const bool spare : {false, true})
        for (std::size_t c = 0; c < batch.size(); ++c) {
            CandidateRuns& runs = batch[c];
            if (runs.decided(tries) || runs.started == tries) continue;
            if (spare || runs.started - runs.ended < runs.needed(tries)) {
                ++runs.started;
                return c;
            }
        }
    return std::nullopt;
}

std::optional<std::size_t> failing(const std::vector<CandidateRuns>& batch, int tries) {
    const auto it = std::find_if(batch.begin(), batch.end(), [tries](const CandidateRuns& r) { return r.fails(tries); });
    if (it == batch.end()) return std::nullopt;
    return static_cast<std::size_t>(it - batch.begin());
}

}  // namespace herd::sim
