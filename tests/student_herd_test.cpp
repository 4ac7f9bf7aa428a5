// A student's herd as the grade runs it, with real processes: a server paused with SIGSTOP and
// then stopped as the course's graders stop one (SIGTERM) ends at once, not after the 30 s limit.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "grade/student_herd.hpp"
#include "support/sink_server.hpp"

namespace {

const std::string fixture_dir = std::string(HERDSIM_TEST_DATA_DIR) + "/../fixtures/python_herd";

}  // namespace

TEST_CASE("a paused server stopped with SIGTERM is continued and ends without the 30 s limit's SIGKILL") {
    boost::asio::io_context io;
    herd::HerdConfig config;
    config.servers = {{"Solo", "127.0.0.1", herd::test::unused_port(io)}};
    herd::sim::grade::StudentHerd students({.command = "python3 server.py {name} {config} {log_dir}",
                                            .cwd = fixture_dir,
                                            .herd = config,
                                            .dir = std::string(HERDSIM_TEST_WORK_DIR) + "/student-herd-pause"});
    REQUIRE(students.start("Solo"));
    students.pause("Solo");
    students.stop("Solo");
    std::string notes;
    for (const auto& note : students.notes()) notes += note + "\n";
    INFO(notes);
    CHECK(notes.empty());
}
