#pragma once
// The newest record a node holds for each client: the six-field AT line and its exact time.
// Compact on purpose (one allocation per record, the client key a view into it): a herd can hold
// millions of clients.
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_set>

#include "protocol/timestamp.hpp"

namespace herd {

struct Record {
    std::string_view client;
    std::string_view at_line;  // "AT <server> <difference> <client> <coordinates> <time>"
    Nanos time;
};

class LocationTable {
public:
    // `at_line` is the normalised six-field AT line (single spaces), `time` its parsed time.
    // Stores it when its client is new or `time` is strictly newer than the one held.
    bool offer(std::string_view at_line, Nanos time);

    std::optional<Record> find(std::string_view client) const;
    std::size_t size() const { return entries_.size(); }
    void clear() { entries_.clear(); }

    // Visits every record; order is unspecified, so callers that need one sort.
    template <class F>
    void for_each(F&& visit) const {
        for (const Entry& e : entries_) visit(e.record());
    }

private:
    struct Entry {
        mutable std::unique_ptr<char[]> text;
        mutable std::uint32_t size = 0;
        mutable std::uint32_t client_offset = 0;
        std::uint32_t client_size = 0;
        mutable Nanos time = 0;

        std::string_view client() const { return {text.get() + client_offset, client_size}; }
        Record record() const { return {client(), {text.get(), size}, time}; }
        void assign(std::string_view at_line, std::uint32_t client_offset, Nanos t) const;
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
        std::size_t operator()(const Entry& e) const { return (*this)(e.client()); }
    };
    struct Equal {
        using is_transparent = void;
        static std::string_view key(std::string_view s) { return s; }
        static std::string_view key(const Entry& e) { return e.client(); }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const { return key(a) == key(b); }
    };
    std::unordered_set<Entry, Hash, Equal> entries_;
};

}  // namespace herd
