#pragma once
// Catching a neighbour up (PROTOCOL.md, catch-up): every record this server holds, sent as ordinary
// flood lines from this server, so the receiver's newer-timestamp rule makes it idempotent. The walk
// goes over the table a batch at a time, so that catching up on a million clients holds one batch,
// never a copy of the table.
#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/location_table.hpp"

namespace herd {

class CatchUpWalk {
public:
    // (Re)starts from the first record.
    void begin();
    bool active() const { return active_; }

    // Appends "<AT line> <self>\n" for the next records until `out` holds at least `max_bytes` or
    // every record was sent (the walk then ends); returns how many lines it appended. A table that
    // grew since begin() moved its records between slots, so the walk starts over: records sent
    // twice are harmless, records skipped would not be.
    std::size_t next_batch(const LocationTable& table, std::string_view self, std::string& out, std::size_t max_bytes);

private:
    bool active_ = false;
    bool started_ = false;  // the slot count below was taken
    std::size_t slot_ = 0;
    std::size_t slots_ = 0;
};

}  // namespace herd
