#pragma once
// The results pages a browser opens: each run folder's index.html (its verdict, tables, plots and
// every file) and results/index.html (every run, newest first), which `herdsim results` serves.
#include <filesystem>
#include <string>

namespace herd::sim {

// The style every page shares, and a verdict's colour class ("pass", "fail", "unchecked", "interrupted").
std::string page_style();

// Writes <out_dir>/index.html from every <out_dir>/<scenario>/<run-id>/summary.json (a summary that
// does not parse is listed as such). Throws std::runtime_error when it cannot be written.
void write_results_index(const std::filesystem::path& out_dir);

}  // namespace herd::sim
