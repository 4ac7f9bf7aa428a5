#pragma once
// What `herdsim grade` checks (docs/grade.md). The course score: exactly what the course's
// published graders check, with their client, start and stop, in their points: Test 1 (the W22
// sample script: an IAMAT, then a WHATSAT at every server), Test 2 (the w20 TA script: every pair
// of servers stopped, an IAMAT and a WHATSAT at the survivor with the lowest port, a WHATSAT at each other
// survivor, answered if a path of survivors joins it, else "? "), Test 3 (invalid lines), and a
// point for each stop that leaves the rest running. The extras, scored apart: the exact bytes
// (a difference with nine decimals, the Places answer indented by three spaces, each reply's line
// end), a persistent client's framing, and flooding under faults (a kill and restart, a pause, and
// with relayed links a cut link). An extra never costs a course point.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "grade/flood_diagram.hpp"
#include "grade/relayed_links.hpp"
#include "grade/student_herd.hpp"

namespace herd::sim::grade {

struct TestResult {
    std::string name;  // "course: Test 1: IAMAT at Juzang answers with its AT line", "extra: ..."
    bool course = true;
    double score = 0, max = 0;
    std::string output;  // for a failure: what was sent, what was expected, what came back and when
    std::string repro;   // one shell line that repeats the request
    bool passed() const { return score >= max; }
};

struct SuiteOptions {
    std::string places_body;  // the legacy Nearby Search answer the mock gives every server
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    std::function<void(const TestResult&)> progress = [](const TestResult&) {};
    // The herd's links when they are relayed (its servers read {config}): the flood diagram, and a
    // link cut among the extras. None: the servers connect to each other's own ports.
    RelayedLinks* links = nullptr;
};

struct SuiteRun {
    std::vector<TestResult> tests;
    std::string timeline;  // an inline SVG: the requests, the servers' stops and faults, the checks
    FloodDiagram flood;    // with relayed links
};

// Starts every server of `herd` (0.5 s apart), runs the tests, and leaves it stopped.
SuiteRun run_suite(StudentHerd& herd, const SuiteOptions& options);

}  // namespace herd::sim::grade
