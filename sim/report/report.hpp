#pragma once
// What one run leaves behind in results/<scenario>/<run-id>/ (results/README.md lists every file
// and column): every writer of writer.hpp, in turn.
#include <string>
#include <vector>

#include "record/messages_log.hpp"
#include "record/recorder.hpp"
#include "record/run_record.hpp"
#include "report/writer.hpp"

namespace herd::sim {

// Writes summary.json, updates.csv, links.csv, events.jsonl, the plots (with their .gp scripts and
// .dat files), messages.jsonl and messages.svg (with `messages`), timeline.html (with the run's
// exchanges) into run.dir and points results/<scenario>/latest at the run unless it was interrupted. Returns warnings: what
// could not be made or was cut short (gnuplot missing or failing, the symlink, messages past the
// cap, a diagram skipped and why); every other file is still written. Throws std::runtime_error
// when the directory or a data file cannot be written.
std::vector<std::string> write_report(const RunRecord& run, const Recorder& recorder, const MessageLog* messages,
                                      const ReportOptions& options = {});

}  // namespace herd::sim
