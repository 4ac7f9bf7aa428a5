#include "protocol/location_table.hpp"

#include <cstring>

namespace herd {

namespace {
// The client is the fourth field of a normalised AT line.
std::string_view client_of(std::string_view at_line) {
    std::size_t start = 0;
    for (int i = 0; i < 3; ++i) start = at_line.find(' ', start) + 1;
    return at_line.substr(start, at_line.find(' ', start) - start);
}
}  // namespace

void LocationTable::Entry::assign(std::string_view at_line, std::uint32_t offset, Nanos t) const {
    text = std::make_unique_for_overwrite<char[]>(at_line.size());
    std::memcpy(text.get(), at_line.data(), at_line.size());
    size = static_cast<std::uint32_t>(at_line.size());
    client_offset = offset;
    time = t;
}

bool LocationTable::offer(std::string_view at_line, Nanos time) {
    const std::string_view client = client_of(at_line);
    const auto offset = static_cast<std::uint32_t>(client.data() - at_line.data());
    auto it = entries_.find(client);
    if (it != entries_.end()) {
        if (time <= it->time) return false;
        // Same client text, so the hash and the key are unchanged by the reassignment.
        it->assign(at_line, offset, time);
        return true;
    }
    Entry entry;
    entry.client_size = static_cast<std::uint32_t>(client.size());
    entry.assign(at_line, offset, time);
    entries_.insert(std::move(entry));
    return true;
}

std::optional<Record> LocationTable::find(std::string_view client) const {
    auto it = entries_.find(client);
    if (it == entries_.end()) return std::nullopt;
    return it->record();
}

}  // namespace herd
