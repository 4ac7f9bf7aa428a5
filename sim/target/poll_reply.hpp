#pragma once
// What a WHATSAT poll's reply says about the record a target's server holds (docs/target.md):
// an AT line first, "? " and the query, or neither, which is shown as it came and never read as
// "does not know".
#include <string>
#include <string_view>

#include "herd/run_herd.hpp"

namespace herd::sim::target {

// `sent` is the poll's line with its "\n"; `received` every byte it got; `closed` whether the
// server closed the connection after them.
Holding read_poll(std::string_view sent, std::string received, bool closed);

}  // namespace herd::sim::target
