#pragma once
// The run's plots: each writes <stem>.gp and <stem>.dat into the run folder, or nothing when it
// has nothing to show. write_plots() (writer.hpp) writes them all and runs gnuplot on each.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "report/writer.hpp"

namespace herd::sim::plots {

// Each returns why it made no plot, or nothing when it wrote its .gp and .dat.
std::optional<std::string> latency_per_node(const ReportInput& in, const std::filesystem::path& dir);
std::optional<std::string> coverage_cdf(const ReportInput& in, const std::filesystem::path& dir);
std::optional<std::string> throughput(const ReportInput& in, const std::filesystem::path& dir);
std::optional<std::string> rolling_quantiles(const ReportInput& in, const std::filesystem::path& dir);

}  // namespace herd::sim::plots
