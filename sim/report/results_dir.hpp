#pragma once
// Keeping results/<scenario>/ tidy: the `latest` and `current` symlinks, pruning old runs, and
// per-node logs cut to a size.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace herd::sim {

// Points results/<scenario>/<name> at the run folder (relative: the run's name), replaced
// atomically (a new symlink renamed over the old one). Adds a warning when it cannot.
void point_at_run(const std::filesystem::path& run_dir, const std::string& name, std::vector<std::string>& warnings);

// Removes results/<scenario>/<name> if it points at this run (a newer run may have taken it).
void unpoint(const std::filesystem::path& run_dir, const std::string& name);

// Whether a folder name is a run id: 20261201T123456.789Z-seed7.
bool is_run_id(const std::string& name);

// Deletes the oldest run folders beside `run_dir` (by run id, which sorts by start time) until at
// most `keep` remain, never `run_dir` itself nor one that `current` points at. Folders whose name
// is not a run id are left alone. Returns what was deleted, by name.
std::vector<std::string> prune_runs(const std::filesystem::path& run_dir, std::size_t keep, std::vector<std::string>& warnings);

// Every *.log in `dir` longer than `cap` bytes is cut after the last whole line that fits and ends
// with a line saying how much was cut. Returns a note per file cut: "Alford.log: cut at ...".
std::vector<std::string> cap_logs(const std::filesystem::path& dir, std::uintmax_t cap);

}  // namespace herd::sim
