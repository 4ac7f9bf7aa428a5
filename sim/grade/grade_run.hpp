#pragma once
// One `herdsim grade`: a student's herd graded from start to stop, --repeat times, and the files
// written in --out; or every folder of --submissions, each so, with a CSV of the scores.
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

namespace herd::sim::grade {

struct GradeArgs {
    std::string server;                        // the command, {name} and the other placeholders in it
    std::filesystem::path target;              // else a target file (docs/target.md) says how to start one
    std::string term = "w22";                  // the course's herd: names, ports, links
    std::filesystem::path config;              // else a herd config file names the herd
    std::filesystem::path out = "results/grade";
    std::filesystem::path cwd = ".";           // where the servers run
    int repeat = 1;
    std::filesystem::path submissions;         // grade every folder in it
    int jobs = 1;
};

// Exit code: 0 full course marks, 1 course points lost, 2 could not grade (a bad argument, a port
// of the herd already in use). Progress and the score table go to `out`, errors to `err`.
int grade(const GradeArgs& args, std::ostream& out, std::ostream& err);

// Every folder of args.submissions graded as its own submission (the servers run in it), results
// in args.out/<folder>/, and args.out/scores.csv; with jobs > 1, that many at once, each in a
// network namespace of its own so that hard-coded ports do not collide. Exit code: the worst.
int grade_submissions(const GradeArgs& args, std::ostream& out, std::ostream& err);

}  // namespace herd::sim::grade
