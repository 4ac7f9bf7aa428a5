#include "grade/timeline.hpp"

#include <map>

#include "protocol/reply_text.hpp"
#include "record/recorder.hpp"
#include "record/run_record.hpp"
#include "report/timeline.hpp"

namespace herd::sim::grade {

namespace {

double ms_between(GradeLog::Clock::time_point from, GradeLog::Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace

std::vector<FaultWindow> fault_windows(const GradeLog& log) {
    std::vector<FaultWindow> out;
    std::map<std::string, std::size_t> open;  // server, or link "a<->b" -> its fault window still open
    for (const auto& e : log.events) {
        const double t = ms_between(log.start, e.at);
        const std::string subject = e.peer.empty() ? e.server : e.server + "<->" + e.peer;
        if (const auto it = open.find(subject); it != open.end() && (e.what == "start" || e.what == "resume" || e.what == "heal")) {
            out[it->second].end_ms = t;
            open.erase(it);
        }
        if (e.what == "stop" || e.what == "crash" || e.what == "pause" || e.what == "cut") {
            open[subject] = out.size();
            FaultWindow window;
            window.start_ms = t;
            window.kind = e.what == "pause" ? FaultWindow::Kind::pause : e.what == "cut" ? FaultWindow::Kind::cut : FaultWindow::Kind::crash;
            window.subject = subject;
            out.push_back(window);
        }
    }
    return out;
}

std::string timeline_svg(const GradeLog& log) {
    RunRecord run;
    run.scenario = "grade";
    run.nodes = log.servers;
    // The recorder stamps what it is told with its clock: set to each event's time as it is told.
    GradeLog::Clock::time_point at = log.start;
    Recorder recorder(log.servers, [&at] { return at; });
    double end_ms = 0;
    const auto stamp = [&](GradeLog::Clock::time_point t) {
        at = t;
        end_ms = std::max(end_ms, ms_between(log.start, t));
    };

    for (const auto& e : log.events) {
        stamp(e.at);
        const bool link = !e.peer.empty();
        const std::string kind = link ? e.what
                                 : e.what == "start" || e.what == "resume" ? "restart"
                                 : e.what == "pause"                       ? "pause"
                                                                           : "crash";
        recorder.note(kind, e.what + " " + e.server + (link ? "<->" + e.peer : ""),
                      link ? std::vector<std::string>{e.server, e.peer} : std::vector<std::string>{e.server});
    }
    run.faults = fault_windows(log);
    for (std::size_t i = 0; i < log.judged.size(); ++i) {
        const auto& j = log.judged[i];
        stamp(j.at);
        recorder.note(j.passed ? "expect-held" : "expect-failed", j.name + (j.output.empty() ? "" : ": " + j.output));
        run.verdicts.push_back({i, j.name, j.passed ? VerdictKind::pass : VerdictKind::fail, j.output, std::nullopt});
    }
    for (const auto& a : log.asked) {
        stamp(a.exchange.ended_at);
        std::string line = a.exchange.sent;
        if (!line.empty() && line.back() == '\n') line.pop_back();
        run.exchanges.push_back({a.test, a.track, a.server, show_reply(line), ms_between(log.start, a.exchange.sent_at),
                                 ms_between(log.start, a.exchange.ended_at), show_reply(a.exchange.got)});
    }
    run.summary.duration_ms = end_ms;
    const ReportOptions options;
    return draw_timeline({run, recorder, nullptr, options, log.servers, {}}).svg;
}

}  // namespace herd::sim::grade
