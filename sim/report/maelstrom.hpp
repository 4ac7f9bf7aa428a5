#pragma once
// A run's figures as Maelstrom's broadcast workload reports them, beside herdsim's own, so that a
// run from flags can be set next to a published Maelstrom result.
#include <string>

#include "record/run_record.hpp"

namespace herd::sim {

struct MaelstromFigures {
    std::size_t operations = 0;      // client operations: the updates (Maelstrom's broadcasts)
    std::uint64_t server_messages = 0;  // flood lines between servers, every one sent
    double msgs_per_op = 0;          // server_messages / operations (Maelstrom's :server msgs-per-op)
    // Stable latency: until every node holds an update, Maelstrom's quantiles 0, 0.5, 0.95, 0.99, 1;
    // here exact (the time the last node stored it), over the updates not lost.
    std::size_t stable_count = 0;
    double q0 = 0, q50 = 0, q95 = 0, q99 = 0, q100 = 0;
};

MaelstromFigures maelstrom_figures(const Summary& summary);

// Two lines: Maelstrom's figures, then herdsim's messages per update and full-coverage latency.
std::string maelstrom_table(const RunRecord& run);

}  // namespace herd::sim
