#pragma once
// What one grade did, on one time axis, for report.html: the requests the grade sent and their
// replies (a track per test), the servers' starts, stops and faults (stops and kills as crash
// bands, pauses as pause bands), and each check where it was judged; drawn by sim/report's
// timeline, as a run's timeline.html is.
#include <chrono>
#include <string>
#include <vector>

#include "grade/course_client.hpp"
#include "record/spans.hpp"

namespace herd::sim::grade {

struct GradeLog {
    using Clock = std::chrono::steady_clock;
    struct Asked {
        std::size_t test = 0;  // the index of the first check it fed
        std::string track;     // "Test 1", "faults"
        std::string server;
        Exchange exchange;
    };
    struct ServerEvent {
        Clock::time_point at;
        std::string server;
        std::string what;   // start, stop, crash, pause, resume; cut, heal (the link to `peer`)
        std::string peer = {};
    };
    struct Judged {
        Clock::time_point at;
        std::string name;
        bool passed = false;
        std::string output;
    };
    Clock::time_point start = Clock::now();
    std::vector<std::string> servers;
    std::vector<Asked> asked;
    std::vector<ServerEvent> events;
    std::vector<Judged> judged;
};

// One inline SVG element.
std::string timeline_svg(const GradeLog& log);

// The servers' stops and kills (crash), pauses (pause) and cut links, in ms since log.start.
std::vector<FaultWindow> fault_windows(const GradeLog& log);

}  // namespace herd::sim::grade
