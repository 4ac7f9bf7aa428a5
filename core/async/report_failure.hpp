#pragma once
// The one completion handler for every spawned coroutine, in place of asio::detached (which drops
// an exception without a word): what a coroutine threw goes to a sink as one line.
#include <exception>
#include <functional>
#include <optional>
#include <string>

namespace herd {

// What `error` says, as one line; nothing when there is no error or when it is an expected end
// (an operation aborted by a stop, end of file), which is not a failure.
std::optional<std::string> failure_message(const std::exception_ptr& error);

using FailureSink = std::function<void(const std::string& message)>;

// asio::co_spawn(executor, coroutine, report_failure("Alford: accept loop", sink)): a coroutine that
// ends by an exception calls sink("Alford: accept loop: <what it threw>").
inline auto report_failure(std::string where, FailureSink sink) {
    return [where = std::move(where), sink = std::move(sink)](const std::exception_ptr& error) {
        if (auto message = failure_message(error)) sink(where + ": " + *message);
    };
}

// The sink for code with no one else to tell: "herdsim: <message>" on stderr.
void print_failure(const std::string& message);

}  // namespace herd
