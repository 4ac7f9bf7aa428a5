#pragma once
// The newest record a node holds for each client: the six-field AT line and its exact time.
// Compact on purpose: a herd can hold millions of clients. Each record is one allocation (a small
// header, then the AT line; the client key is a view into it), found through an open-addressing
// table of (hash, pointer) slots, so a lookup touches one slot and one record and nothing else.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/timestamp.hpp"

namespace herd {

struct Record {
    std::string_view client;
    std::string_view at_line;  // "AT <server> <difference> <client> <coordinates> <time>"
    Nanos time;
};

class LocationTable {
public:
    LocationTable() = default;
    ~LocationTable();
    LocationTable(LocationTable&& other) noexcept;
    LocationTable& operator=(LocationTable&& other) noexcept;
    LocationTable(const LocationTable&) = delete;
    LocationTable& operator=(const LocationTable&) = delete;

    // `at_line` is the normalised six-field AT line (single spaces), `time` its parsed time.
    // Stores it when its client is new or `time` is strictly newer than the one held.
    bool offer(std::string_view at_line, Nanos time);

    std::optional<Record> find(std::string_view client) const;
    std::size_t size() const { return size_; }
    void clear();  // forgets every record and gives the memory back

    // Visits every record; order is unspecified, so callers that need one sort.
    template <class F>
    void for_each(F&& visit) const {
        for (const Slot& s : slots_)
            if (s.block) visit(s.block->record());
    }

    // Visits records from slot `from` on, in slot order, while `visit(record)` returns true; returns
    // the slot to resume from (slot_count() once every slot was seen). For walks that must not hold
    // the whole table at once; a grow() in between reorders the slots (slot_count() changes).
    template <class F>
    std::size_t visit_from(std::size_t from, F&& visit) const {
        for (; from < slots_.size(); ++from)
            if (slots_[from].block && !visit(slots_[from].block->record())) return from + 1;
        return from;
    }
    std::size_t slot_count() const { return slots_.size(); }

private:
    // One record: this header, then `capacity` bytes of which the first `size` are the AT line.
    struct Block {
        Nanos time;
        std::uint32_t size;
        std::uint32_t capacity;  // a newer record that fits reuses the block (no allocation)
        std::uint32_t client_offset;
        std::uint32_t client_size;

        char* text() { return reinterpret_cast<char*>(this + 1); }
        const char* text() const { return reinterpret_cast<const char*>(this + 1); }
        std::string_view client() const { return {text() + client_offset, client_size}; }
        Record record() const { return {client(), {text(), size}, time}; }
    };
    struct Slot {
        std::uint64_t hash = 0;
        Block* block = nullptr;  // null: empty
    };

    static Block* make_block(std::string_view at_line, std::uint32_t client_offset, std::uint32_t client_size,
                             Nanos time);
    static void free_block(Block* block);
    const Slot* lookup(std::string_view client, std::uint64_t hash) const;  // the slot holding it, or the empty one
    void grow();

    std::vector<Slot> slots_;  // a power of two in size, at most 3/4 full
    std::size_t size_ = 0;
};

}  // namespace herd
