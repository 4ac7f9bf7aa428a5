#pragma once
// The writers of a run's files (results/README.md lists every file and column). Each makes one
// file, or one family of files (a plot's .gp, .dat and .png), from the run's record, with one
// signature; write_report (report.cpp) keeps them in a list, so a new output is one writer and
// one entry there.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "record/messages_log.hpp"
#include "record/recorder.hpp"
#include "record/run_record.hpp"

namespace herd::sim {

// How the files are drawn, apart from what the run was.
struct ReportOptions {
    std::string gnuplot = "gnuplot";  // program run for the plots (PATH lookup); empty: no plots
    std::optional<std::pair<double, double>> messages_window{};  // ms: messages.svg draws only what was sent in it
};

// What every writer reads.
struct ReportInput {
    const RunRecord& run;
    const Recorder& recorder;
    const MessageLog* messages;          // none: messages.jsonl and messages.svg are not written
    const ReportOptions& options;
    std::vector<std::string> nodes;      // every node the files talk about: the herd's, and any the recorder met
    std::vector<std::string> message_lines;  // message_lines() of `messages`: messages.jsonl, and messages.svg's hovers
};

// Writes its file into `dir`; what it could not make, and why, goes to `warnings` (every other
// file is still written). Throws std::runtime_error when a data file cannot be written.
using Writer = void (*)(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings);

void write_updates_csv(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings);
void write_links_csv(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings);
void write_events_jsonl(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings);
void write_messages_jsonl(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings);
void write_messages_svg(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings);
void write_timeline_html(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings);
void write_plots(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings);
void write_run_page(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings);
void point_latest(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings);
void write_summary_json(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings);

}  // namespace herd::sim
