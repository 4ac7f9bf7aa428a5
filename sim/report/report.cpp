#include "report/report.hpp"

#include <set>

namespace herd::sim {

namespace fs = std::filesystem;

namespace {

// Every file of a run folder, in the order they are written.
constexpr Writer writers[] = {
    write_updates_csv,
    write_links_csv,
    write_events_jsonl,
    write_plots,
    write_timeline_html,
    write_messages_jsonl,
    write_messages_svg,
    point_latest,
    write_run_page,    // after every picture, so that it shows them
    write_summary_json,  // last: it lists every warning
};

// Every node the files talk about: the herd's, plus any the recorder met that the run omits.
std::vector<std::string> report_nodes(const Recorder& recorder, const RunRecord& run) {
    std::set<std::string> names(run.nodes.begin(), run.nodes.end());
    names.insert(recorder.nodes().begin(), recorder.nodes().end());
    return {names.begin(), names.end()};
}

}  // namespace

std::vector<std::string> write_report(const RunRecord& run, const Recorder& recorder, const MessageLog* messages,
                                      const ReportOptions& options) {
    // "results/x/run/" and "results/x/run" name the same run; the trailing slash would hide its name.
    fs::path dir = run.dir.lexically_normal();
    if (!dir.has_filename()) dir = dir.parent_path();
    fs::create_directories(dir);

    const ReportInput in{run, recorder, messages, options, report_nodes(recorder, run),
                         messages ? message_lines(*messages, recorder) : std::vector<std::string>{}};
    std::vector<std::string> warnings;
    for (const Writer write : writers) write(in, dir, warnings);
    return warnings;
}

}  // namespace herd::sim
