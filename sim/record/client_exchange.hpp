#pragma once
// One client request of a send step and its reply, for timeline.html.
#include <cstddef>
#include <optional>
#include <string>

namespace herd::sim {

struct ClientExchange {
    std::size_t step = 0;      // the send step's index; its verdicts colour the exchange
    std::string connection;    // the step's named connection, or "steps[N]" for a fresh one
    std::string node;
    std::string line;          // as sent, without its newline
    double sent_ms = 0;
    std::optional<double> reply_ms;  // when the reply was judged; empty: none yet, or never expected
    std::string reply;               // the reply, or why none came
};

}  // namespace herd::sim
