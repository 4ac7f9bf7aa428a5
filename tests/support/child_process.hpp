#pragma once
// A program run as a child process for tests, its stdout and stderr read (together) on the test's
// io_context, so a test runs that context until the output it waits for has arrived.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include <boost/asio/io_context.hpp>

namespace herd::test {

class ChildProcess {
public:
    // Starts `program` with `args` in the folder `cwd`. Throws std::system_error if it cannot.
    ChildProcess(boost::asio::io_context& io, const std::filesystem::path& program, const std::vector<std::string>& args,
                 const std::filesystem::path& cwd);
    ~ChildProcess();  // a child still running is killed and reaped
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // Runs the io_context until the output contains `text` or `limit` passes; returns whether it does.
    bool wait_for_output(std::string_view text, std::chrono::milliseconds limit);
    const std::string& output() const;

    void send_signal(int signal);

    // Runs the io_context until the child has closed its output (it exited) or `limit` passes, then
    // reaps it: its exit code, or nothing if it did not exit, or was killed by a signal.
    std::optional<int> wait_for_exit(std::chrono::milliseconds limit);

    struct State;  // the output read so far, shared with the read in flight

private:
    boost::asio::io_context& io_;
    std::shared_ptr<State> state_;
    pid_t pid_ = -1;
};

}  // namespace herd::test
