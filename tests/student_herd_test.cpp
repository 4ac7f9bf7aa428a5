// A student's herd as the grade runs it, with real processes: a server that shuts down cleanly on
// SIGTERM (a handler of its own, which a stopped process runs only once continued), paused with
// SIGSTOP and then stopped as the course's graders stop one, ends at once, not after the 30 s limit.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "grade/student_herd.hpp"
#include "support/sink_server.hpp"

TEST_CASE("a paused server stopped with SIGTERM is continued and ends without the 30 s limit's SIGKILL") {
    boost::asio::io_context io;
    herd::HerdConfig config;
    config.servers = {{"Solo", "127.0.0.1", herd::test::unused_port(io)}};
    herd::sim::grade::StudentHerd students(
        {.command = "python3 -c 'import signal, socket, sys, time\n"
                    "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
                    "server = socket.create_server((\"127.0.0.1\", int(sys.argv[1])))\n"
                    "time.sleep(600)' {port}",
         .cwd = HERDSIM_TEST_WORK_DIR,
         .herd = config,
         .dir = std::string(HERDSIM_TEST_WORK_DIR) + "/student-herd-pause"});
    REQUIRE(students.start("Solo"));
    students.pause("Solo");
    students.stop("Solo");
    std::string notes;
    for (const auto& note : students.notes()) notes += note + "\n";
    INFO(notes);
    CHECK(notes.find("after SIGTERM") == std::string::npos);  // "still running 30 s after SIGTERM; killed"
}
