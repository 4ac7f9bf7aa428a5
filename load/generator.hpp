#pragma once
// The load itself (docs/target.md, "herdsim load"): one coroutine per connection on one io_context,
// writing requests (closed loop: a window in flight; open loop: on a schedule) and judging every
// reply as it is read.
#include <functional>
#include <string>
#include <variant>

#include "load/report.hpp"

namespace boost::asio {
class io_context;
}

namespace herd::load {

// What a run ended with: its report, or why it could not run.
using LoadOutcome = std::variant<LoadReport, std::string>;

// Starts the load on `io`, which the caller runs (beside an in-process herd, say); `done` is called
// once, with the outcome, when the last reply is in and the herd's CPU time has settled.
void start_load(boost::asio::io_context& io, LoadOptions options, std::function<void(LoadOutcome)> done);

// The same on an io_context of its own, until the end.
LoadOutcome run_load(LoadOptions options);

}  // namespace herd::load
