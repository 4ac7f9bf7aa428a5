#pragma once
// A grade's outcome and the files it leaves in --out (docs/grade.md): results.json in Gradescope's
// autograder format, junit.xml, and report.html, one self-contained page.
#include <filesystem>
#include <string>
#include <vector>

#include "grade/suite.hpp"

namespace herd::sim::grade {

struct GradeOutcome {
    std::string title;              // "w22 herd, python3 server.py {name}"
    std::vector<TestResult> tests;  // with --repeat, each test's mean score over the runs
    std::vector<int> passes;        // per test: in how many runs it passed
    int runs = 1;
    std::vector<std::string> notes;  // what went unlike the course's timing, servers that never came up
    double seconds = 0;
    std::string timeline = {};  // an inline SVG of one run (SuiteRun::timeline)
    bool relayed = false;       // the links went through herdsim (the servers read {config})
    FloodDiagram flood = {};    // of the same run, when relayed
};

// Merges the runs of --repeat (the same tests in the same order each run).
GradeOutcome merge_runs(std::string title, const std::vector<std::vector<TestResult>>& runs,
                        std::vector<std::string> notes, double seconds);

struct Score {
    double got = 0, max = 0;
};
Score course_score(const GradeOutcome& outcome);
Score extras_score(const GradeOutcome& outcome);
// "course 84/91  extras 30/33", the terminal's last line.
std::string score_line(const GradeOutcome& outcome);
std::string points(double value);  // 42, 41.5

void write_results_json(const GradeOutcome& outcome, const std::filesystem::path& file);
void write_junit(const GradeOutcome& outcome, const std::filesystem::path& file);
void write_report_html(const GradeOutcome& outcome, const std::filesystem::path& file);

}  // namespace herd::sim::grade
