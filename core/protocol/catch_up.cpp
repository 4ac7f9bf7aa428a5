#include "protocol/catch_up.hpp"

namespace herd {

void CatchUpWalk::begin() {
    active_ = true;
    started_ = false;
    slot_ = 0;
}

std::size_t CatchUpWalk::next_batch(const LocationTable& table, std::string_view self, std::string& out,
                                    std::size_t max_bytes) {
    if (!active_) return 0;
    if (!started_ || table.slot_count() != slots_) {
        started_ = true;
        slot_ = 0;
        slots_ = table.slot_count();
    }
    std::size_t lines = 0;
    slot_ = table.visit_from(slot_, [&](const Record& record) {
        out += record.at_line;
        out += ' ';
        out += self;
        out += '\n';
        ++lines;
        return out.size() < max_bytes;
    });
    if (slot_ >= slots_) active_ = false;
    return lines;
}

}  // namespace herd
