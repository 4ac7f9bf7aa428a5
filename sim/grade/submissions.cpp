// herdsim grade --submissions DIR: every folder a submission of its own.
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "grade/grade_run.hpp"
#include "grade/outcome.hpp"

namespace herd::sim::grade {

namespace {

namespace fs = std::filesystem;

// Alone on a loopback of its own: a submission's hard-coded ports are then its own.
bool own_network() {
    if (::unshare(CLONE_NEWNET) != 0) return false;
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    const bool up = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0 &&
                    (request.ifr_flags |= IFF_UP, ::ioctl(fd, SIOCSIFFLAGS, &request) == 0);
    ::close(fd);
    return up;
}

int grade_into_log(GradeArgs args, const fs::path& folder) {
    args.cwd = folder;
    fs::create_directories(args.out);
    std::ofstream log(args.out / "grade.log");
    return grade(args, log, log);
}

// The scores a submission's results.json holds: course got/max, extras got/max.
std::string csv_scores(const fs::path& results) {
    std::ifstream in(results);
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.contains("tests")) return ",,,";
    Score course, extras;
    for (const auto& t : doc["tests"]) {
        Score& s = t.value("name", "").rfind("course: ", 0) == 0 ? course : extras;
        s.got += t.value("score", 0.0);
        s.max += t.value("max_score", 0.0);
    }
    return points(course.got) + "," + points(course.max) + "," + points(extras.got) + "," + points(extras.max);
}

}  // namespace

int grade_submissions(const GradeArgs& args, std::ostream& out, std::ostream& err) {
    std::vector<fs::path> folders;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(args.submissions, ec))
        if (entry.is_directory()) folders.push_back(entry.path());
    if (ec) {
        err << "herdsim grade: --submissions: " << args.submissions.string() << ": " << ec.message() << "\n";
        return 2;
    }
    std::sort(folders.begin(), folders.end());
    fs::create_directories(args.out, ec);
    std::map<fs::path, int> codes;
    auto args_for = [&](const fs::path& folder) {
        GradeArgs one = args;
        one.out = args.out / folder.filename();
        return one;
    };
    if (args.jobs <= 1) {
        for (const auto& folder : folders) {
            codes[folder] = grade_into_log(args_for(folder), folder);
            out << folder.filename().string() << ": exit " << codes[folder] << "\n";
        }
    } else {
        std::map<pid_t, fs::path> running;
        auto reap = [&] {
            int status = 0;
            const pid_t pid = ::wait(&status);
            if (pid <= 0) return;
            const fs::path folder = running.at(pid);
            running.erase(pid);
            codes[folder] = WIFEXITED(status) ? WEXITSTATUS(status) : 2;
            out << folder.filename().string() << ": exit " << codes[folder] << std::endl;
        };
        for (const auto& folder : folders) {
            while (static_cast<int>(running.size()) >= args.jobs) reap();
            out.flush();
            const pid_t pid = ::fork();
            if (pid == 0) {
                if (!own_network()) {
                    std::cerr << "herdsim grade: --jobs needs a network namespace of its own per submission "
                                 "(unshare(CLONE_NEWNET), as root); use --jobs 1\n";
                    ::_exit(2);
                }
                ::_exit(grade_into_log(args_for(folder), folder));
            }
            if (pid < 0) {
                err << "herdsim grade: fork failed\n";
                return 2;
            }
            running[pid] = folder;
        }
        while (!running.empty()) reap();
    }
    std::ofstream csv(args.out / "scores.csv");
    csv << "submission,course,course_max,extras,extras_max,exit\n";
    int worst = 0;
    for (const auto& folder : folders) {
        csv << folder.filename().string() << "," << csv_scores(args.out / folder.filename() / "results.json") << ","
            << codes[folder] << "\n";
        worst = std::max(worst, codes[folder]);
    }
    out << "scores: " << (args.out / "scores.csv").string() << "\n";
    return worst;
}

}  // namespace herd::sim::grade
