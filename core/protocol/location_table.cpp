#include "protocol/location_table.hpp"

#include <cstring>
#include <functional>
#include <new>
#include <utility>

namespace herd {

namespace {
// The client is the fourth field of a normalised AT line.
std::string_view client_of(std::string_view at_line) {
    std::size_t start = 0;
    for (int i = 0; i < 3; ++i) start = at_line.find(' ', start) + 1;
    return at_line.substr(start, at_line.find(' ', start) - start);
}

std::uint64_t hash_of(std::string_view client) { return std::hash<std::string_view>{}(client); }
}  // namespace

LocationTable::~LocationTable() { clear(); }

LocationTable::LocationTable(LocationTable&& other) noexcept
    : slots_(std::move(other.slots_)), size_(std::exchange(other.size_, 0)) {
    other.slots_.clear();
}

LocationTable& LocationTable::operator=(LocationTable&& other) noexcept {
    if (this != &other) {
        clear();
        slots_ = std::move(other.slots_);
        size_ = std::exchange(other.size_, 0);
        other.slots_.clear();
    }
    return *this;
}

LocationTable::Block* LocationTable::make_block(std::string_view at_line, std::uint32_t client_offset,
                                                std::uint32_t client_size, Nanos time) {
    auto* block = static_cast<Block*>(::operator new(sizeof(Block) + at_line.size()));
    block->time = time;
    block->size = block->capacity = static_cast<std::uint32_t>(at_line.size());
    block->client_offset = client_offset;
    block->client_size = client_size;
    std::memcpy(block->text(), at_line.data(), at_line.size());
    return block;
}

void LocationTable::free_block(Block* block) { ::operator delete(block); }

void LocationTable::clear() {
    for (Slot& s : slots_)
        if (s.block) free_block(s.block);
    std::vector<Slot>().swap(slots_);
    size_ = 0;
}

const LocationTable::Slot* LocationTable::lookup(std::string_view client, std::uint64_t hash) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot& s = slots_[i];
        if (!s.block || (s.hash == hash && s.block->client() == client)) return &s;
    }
}

void LocationTable::grow() {
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots_.empty() ? 16 : slots_.size() * 2));
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
        if (!s.block) continue;
        std::size_t i = s.hash & mask;
        while (slots_[i].block) i = (i + 1) & mask;
        slots_[i] = s;
    }
}

bool LocationTable::offer(std::string_view at_line, Nanos time) {
    const std::string_view client = client_of(at_line);
    const auto offset = static_cast<std::uint32_t>(client.data() - at_line.data());
    const std::uint64_t hash = hash_of(client);
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    Slot& slot = const_cast<Slot&>(*lookup(client, hash));
    if (Block* held = slot.block) {
        if (time <= held->time) return false;
        if (at_line.size() <= held->capacity) {
            // Same client text, so the slot's hash and key are unchanged.
            std::memcpy(held->text(), at_line.data(), at_line.size());
            held->size = static_cast<std::uint32_t>(at_line.size());
            held->client_offset = offset;
            held->time = time;
        } else {
            slot.block = make_block(at_line, offset, static_cast<std::uint32_t>(client.size()), time);
            free_block(held);
        }
        return true;
    }
    slot.hash = hash;
    slot.block = make_block(at_line, offset, static_cast<std::uint32_t>(client.size()), time);
    ++size_;
    return true;
}

std::optional<Record> LocationTable::find(std::string_view client) const {
    if (slots_.empty()) return std::nullopt;
    const Slot* s = lookup(client, hash_of(client));
    if (!s->block) return std::nullopt;
    return s->block->record();
}

}  // namespace herd
