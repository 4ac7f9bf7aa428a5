#pragma once
// The per-node log file: every line in and out, peer links, Places outcomes. Buffered; the server
// flushes it periodically and at stop, so logging costs no syscall per message.
#include <filesystem>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "async/report_failure.hpp"
#include "config/server_limits.hpp"
#include "net/server_observer.hpp"

namespace herd {

// "<dir>/<name>.log", appended to, rotated at `limits.log_max_bytes` into "<name>.1.log" ...
// "<name>.<log_files>.log" (the oldest dropped); with an empty `dir`, a logger that discards
// everything without formatting it. Throws std::runtime_error when the file cannot be opened.
std::shared_ptr<spdlog::logger> make_node_log(const std::string& name, const std::filesystem::path& dir,
                                              const ServerLimits& limits);

// Where the failures of node `name`'s coroutines go: its log, written at once, and `observer`; with
// no observer, stderr as well, so that a failure of `herdsim serve` is seen.
FailureSink node_failure_sink(std::shared_ptr<spdlog::logger> log, ServerObserver* observer, std::string name);

// How much of a received or sent line a log line shows: junk input cannot make the log grow
// faster than a small constant times the input.
constexpr std::size_t log_cut_bytes = 200;

// Shows a line's control characters (\r, \t, ...) so that a log line stays one line, and only its
// first log_cut_bytes bytes, then "… (N bytes)" with the whole size.
std::string printable(std::string_view text);

}  // namespace herd
