#include "grade/grade_run.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "config/herd_config.hpp"
#include "grade/outcome.hpp"
#include "grade/relayed_links.hpp"
#include "grade/student_herd.hpp"
#include "grade/suite.hpp"
#include "serve/mock_answers.hpp"
#include "serve/mock_places.hpp"
#include "target/target_file.hpp"

namespace herd::sim::grade {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;


bool port_free(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return free;
}

// The mock Places service every server is pointed at, on a thread of its own: the grade's client
// blocks, as the course's does.
class PlacesThread {
public:
    explicit PlacesThread(const serve::MockAnswers& answers)
        : guard_(io_.get_executor()), mock_(std::make_unique<serve::MockPlaces>(io_.get_executor())) {
        mock_->set_rules({{.api = "legacy", .body = answers.legacy}, {.api = "new", .body = answers.places_new}});
        thread_ = std::thread([this] { io_.run(); });
    }
    ~PlacesThread() {
        boost::asio::post(io_, [this] { mock_->stop(); });
        guard_.reset();
        thread_.join();
        mock_.reset();
    }
    std::string url() const { return mock_->url(); }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::unique_ptr<serve::MockPlaces> mock_;
    std::thread thread_;
};

void print_result(std::ostream& out, const TestResult& t, const std::string& run = "") {
    out << "  " << run << points(t.score) << "/" << points(t.max) << "  " << t.name << "\n";
    if (!t.output.empty()) out << "        " << t.output << "\n";
    if (!t.repro.empty()) out << "        repeat it: " << t.repro << "\n";
    out.flush();  // as it goes, also into a file or a pipe: a run stopped midway keeps what it printed
}

}  // namespace

int grade(const GradeArgs& args, std::ostream& out, std::ostream& err) {
    HerdConfig herd;
    StudentHerdSpec server{args.server, fs::absolute(args.cwd)};
    try {
        if (!args.config.empty()) herd = load_config_file(args.config);
        else if (auto found = preset(args.term)) herd = *found;
        else {
            err << "herdsim grade: --term: no term \"" << args.term << "\"\n";
            return 2;
        }
        if (!args.target.empty()) {
            const target::TargetSpec spec = target::load_target(args.target);
            // Each word quoted: a placeholder inside one is quoted again, and the shell joins the pieces.
            for (const auto& word : spec.command) server.command += (server.command.empty() ? "" : " ") + shell_quote(word);
            server.cwd = spec.cwd;
            server.env = spec.env;
            for (auto& s : herd.servers)
                if (const auto port = spec.ports.find(s.name); port != spec.ports.end()) s.port = port->second;
        }
        check_placeholders(server.command);
        for (const auto& [key, value] : server.env) check_placeholders(value);
    } catch (const std::exception& e) {
        err << "herdsim grade: " << e.what() << "\n";
        return 2;
    }
    std::string busy;
    for (const auto& s : herd.servers)
        if (!port_free(s.port)) busy += (busy.empty() ? "" : ", ") + s.name + " (" + std::to_string(s.port) + ")";
    if (!busy.empty()) {
        err << "herdsim grade: ports in use, nothing started: " << busy
            << "; stop what listens there (a server left from an earlier run?)\n";
        return 2;
    }
    const serve::MockAnswers answers = serve::load_mock_answers("");
    PlacesThread places(answers);
    herd.places.base_url = places.url();
    std::error_code ec;
    fs::create_directories(args.out, ec);
    if (ec) {
        err << "herdsim grade: --out: cannot create " << args.out.string() << ": " << ec.message() << "\n";
        return 2;
    }
    server.herd = herd;
    server.dir = args.out / "servers";
    const std::string title = (args.config.empty() ? args.term + " herd" : args.config.filename().string()) + ": " +
                              (args.target.empty() ? args.server : args.target.string());
    out << "herdsim grade: " << title << " (servers' output in " << (args.out / "servers").string() << ")\n";
    const auto started = Clock::now();
    std::vector<std::vector<TestResult>> runs;
    std::vector<std::string> notes;
    std::string timeline;  // the first run's, or the first run that lost a course point
    // A server that reads {config} takes its neighbours' ports from it: its links can go through herdsim.
    bool relayed = server.command.find("{config}") != std::string::npos;
    for (const auto& [key, value] : server.env) relayed = relayed || value.find("{config}") != std::string::npos;
    FloodDiagram flood;
    for (int run = 1; run <= args.repeat; ++run) {
        std::optional<RelayedLinks> links;
        StudentHerdSpec spec = server;
        if (relayed) spec.relay_ports = links.emplace(herd).ports();
        StudentHerd student(spec);
        SuiteOptions options{answers.legacy, Clock::now()};
        options.links = links ? &*links : nullptr;
        // Every check of the first run; of the later ones each failure, marked with its run, as it comes.
        if (run == 1) options.progress = [&out](const TestResult& t) { print_result(out, t); };
        else
            options.progress = [&out, run](const TestResult& t) {
                if (!t.passed()) print_result(out, t, "run " + std::to_string(run) + ": ");
            };
        SuiteRun done = run_suite(student, options);
        const Score course = course_score(merge_runs(title, {done.tests}, {}, 0));
        if (run == 1 || (course.got < course.max && course_score(merge_runs(title, runs, {}, 0)).got >= course.max)) {
            timeline = std::move(done.timeline);
            flood = std::move(done.flood);
        }
        runs.push_back(std::move(done.tests));
        for (const auto& note : student.notes()) notes.push_back((args.repeat > 1 ? "run " + std::to_string(run) + ": " : "") + note);
        if (args.repeat > 1) out << "run " << run << ": " << score_line(merge_runs(title, {runs.back()}, {}, 0)) << std::endl;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    GradeOutcome outcome = merge_runs(title, runs, notes, seconds);
    outcome.timeline = std::move(timeline);
    outcome.relayed = relayed;
    outcome.flood = std::move(flood);
    for (const auto& note : notes) out << "note: " << note << "\n";
    try {
        write_results_json(outcome, args.out / "results.json");
        write_junit(outcome, args.out / "junit.xml");
        write_report_html(outcome, args.out / "report.html");
    } catch (const std::exception& e) {
        err << "herdsim grade: " << e.what() << "\n";
        return 2;
    }
    out << "results: " << (args.out / "results.json").string() << ", " << (args.out / "junit.xml").string() << ", "
        << (args.out / "report.html").string() << " (" << points(seconds) << " s)\n";
    out << score_line(outcome) << "\n";
    const Score course = course_score(outcome);
    return course.got >= course.max ? 0 : 1;
}

}  // namespace herd::sim::grade
