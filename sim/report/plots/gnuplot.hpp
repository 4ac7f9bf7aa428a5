#pragma once
// What every plot script shares: gnuplot strings, the page and title, the fault windows (shaded,
// one colour each, named in the key rather than over the data), and running gnuplot.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record/run_record.hpp"

namespace herd::sim::plots {

// A double-quoted gnuplot string (backslash escapes are read inside double quotes; "\n" breaks a line).
std::string gp_string(std::string_view text);

// Milliseconds for a log axis, which has no 0: under a microsecond (the clock's step) shows as one.
std::string log_axis_ms(double value);

// terminal, output <stem>.png, a two-line title (what, then scenario and run), grid, the key outside.
std::string header(const std::string& stem, const std::string& what, const RunRecord& run);

// A log axis in ms: labels at 1, 2, 5 of every decade (gnuplot's own put two labels on a range
// within one decade), and room above and below so no point sits on the frame.
std::string log_ms_axis(char axis);

// The range of a log ms axis over data from lo to hi, from the 1-2-5 tick at or below half of lo
// to the one at or above twice hi: at least two labelled ticks, however few the values (one value
// alone would leave gnuplot a range with no tick in it).
std::string log_ms_range(char axis, double lo, double hi);

// Node names in reading order: N2 before N10.
std::vector<std::string> natural_order(std::vector<std::string> names);

// Over x in seconds since start (`set object` lines): each window a bar in a strip along the top,
// where the offsets leave no data, and a faint shade behind the data ...
std::string window_objects(const std::vector<FaultWindow>& faults, double run_end_ms);
// ... and their key entries, to append to a plot command: ", keyentry ... title \"W1 crash X\"".
std::string window_key_entries(const std::vector<FaultWindow>& faults);

// Writes <stem>.dat and <stem>.gp into `dir`.
void save(const std::filesystem::path& dir, const std::string& stem, const std::string& data, const std::string& script);

// Runs `gnuplot <stem>.gp` in `dir`; a warning when it fails or makes no <stem>.png.
void draw(const std::string& program, const std::filesystem::path& dir, const std::string& stem,
          std::vector<std::string>& warnings);

}  // namespace herd::sim::plots
