#pragma once
// What a herd watched from outside (a target's processes) can tell the record: a node came to hold
// a client's report, given by the client, found by a poll, or carried by a neighbour's flood line.
// Narrow on purpose: such a herd sees no parsed command and no server effects, and forges none;
// a herd in this process reports through ServerObserver instead, which says more.
#include <string_view>

#include "protocol/timestamp.hpp"

namespace herd::sim {

// A client's report, as the client wrote its time.
struct ClientReport {
    std::string_view client;
    Nanos time = 0;
    std::string_view time_text;
};

class StoreSink {
public:
    virtual ~StoreSink() = default;
    // `node` stored the report: one a client gave it, or one a poll found it holding.
    virtual void stored(std::string_view node, const ClientReport& report) = 0;
    // `node` was handed a flood line for the report from `sender` (the line's sender field, "" when
    // it has none): it stored it (`fresh`), or already held it or a newer one.
    virtual void flooded(std::string_view node, std::string_view sender, const ClientReport& report, bool fresh) = 0;
};

}  // namespace herd::sim
