#pragma once
// The run's plots: each writes <stem>.gp and <stem>.dat into the run folder, or nothing when it
// has nothing to show. write_plots() writes them all and runs gnuplot on each.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "record/messages_log.hpp"
#include "record/recorder.hpp"
#include "report/report.hpp"

namespace herd::sim::plots {

struct PlotInput {
    const Recorder& recorder;
    const Summary& summary;
    const ReportContext& ctx;
    const std::vector<std::string>& nodes;  // every node, by name
};

// Each returns why it made no plot, or nothing when it wrote its .gp and .dat.
std::optional<std::string> latency_per_node(const PlotInput& in, const std::filesystem::path& dir);
std::optional<std::string> coverage_cdf(const PlotInput& in, const std::filesystem::path& dir);
std::optional<std::string> throughput(const PlotInput& in, const std::filesystem::path& dir);
std::optional<std::string> rolling_quantiles(const PlotInput& in, const std::filesystem::path& dir);

// Writes every plot above and draws it with ctx.gnuplot; returns the warnings.
std::vector<std::string> write_plots(const PlotInput& in, const std::filesystem::path& dir);

}  // namespace herd::sim::plots
