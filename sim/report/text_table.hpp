#pragma once
// Terminal tables: columns aligned, text columns to the left and numbers to the right.
#include <cstddef>
#include <string>
#include <vector>

#include "record/run_row.hpp"

namespace herd::sim {

// `cells[0]` is the header; the first `text_columns` columns are left-aligned, the rest right-
// aligned; columns two spaces apart, no trailing spaces, a "\n" after every line.
std::string aligned_table(const std::vector<std::vector<std::string>>& cells, std::size_t text_columns);

// The runs' table. Columns: scenario, verdict (PASS/FAIL/UNCHECKED/INTERRUPTED), updates, lost,
// late, full-coverage p50/p95/p99/max ms (a phase's or window's: over the updates no later fault
// held up), flood lines per update, catch-up lines per update, held (a part's updates a later fault
// held up), stale reads, recovery ms ("never": not recovered by the end), duration s, and timing when
// some row has one. A header line first; "-" where nothing was counted.
std::vector<std::vector<std::string>> table_cells(const std::vector<RunRow>& rows);
std::string terminal_table(const std::vector<RunRow>& rows);

}  // namespace herd::sim
