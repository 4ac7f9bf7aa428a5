#pragma once
// Terminal tables: columns aligned, text columns to the left and numbers to the right.
#include <cstddef>
#include <string>
#include <vector>

namespace herd::sim {

// `cells[0]` is the header; the first `text_columns` columns are left-aligned, the rest right-
// aligned; columns two spaces apart, no trailing spaces, a "\n" after every line.
std::string aligned_table(const std::vector<std::vector<std::string>>& cells, std::size_t text_columns);

}  // namespace herd::sim
