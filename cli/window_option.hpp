#pragma once
// --messages-window and --window: FROM_MS:TO_MS, a stretch of a run in milliseconds.
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

namespace herdsim::cli {

// Refuses anything but two numbers of milliseconds from 0 up with FROM < TO, naming the text.
CLI::Validator ms_window();
// A text ms_window() accepted.
std::pair<double, double> parse_window(const std::string& text);

}  // namespace herdsim::cli
