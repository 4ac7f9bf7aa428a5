#pragma once
// --check-known (docs/load.md): once the load is over, whether every server holds every client's
// newest record, seen from outside: "WHATSAT <client> 10 1" at each server, pass after pass over
// the pairs not yet seen, until all are or a pass has found none more for the timeout.
#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "load/report.hpp"
#include "protocol/timestamp.hpp"

namespace herd::load {

struct Reported {
    std::string client;
    Nanos time;  // of the client's last IAMAT: its newest record
};

// `since`: the check's start, from which KnownCheck::seconds counts.
boost::asio::awaitable<KnownCheck> check_known(const LoadOptions& options, const std::vector<Reported>& clients,
                                               std::chrono::steady_clock::time_point since);

}  // namespace herd::load
