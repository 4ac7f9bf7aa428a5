#pragma once
// Recent Places answers, so that a repeated WHATSAT costs no request: at most `max_entries`
// answers and `max_bytes` bytes of keys and bodies, the least recently used going first, each
// reused for `ttl` after it arrived. Pure: time is passed in.
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace herd {

class AnswerCache {
public:
    using Clock = std::chrono::steady_clock;

    AnswerCache(std::chrono::milliseconds ttl, std::uint32_t max_entries, std::uint64_t max_bytes);

    // The body stored under `key` less than the TTL before `now` (it becomes the most recently
    // used), or null. An answer past its TTL is dropped.
    std::shared_ptr<const std::string> find(std::string_view key, Clock::time_point now);

    // Stores `body` under `key` as of `now` (replacing what was there), then drops the least
    // recently used answers until both bounds hold. An answer larger than max_bytes alone is not kept.
    void store(std::string key, std::string body, Clock::time_point now);

    void clear();
    std::size_t size() const { return entries_.size(); }
    std::uint64_t bytes() const { return bytes_; }

private:
    struct Entry {
        std::string key;
        std::shared_ptr<const std::string> body;
        Clock::time_point stored;
        std::uint64_t cost() const { return key.size() + body->size(); }
    };
    using Entries = std::list<Entry>;  // most recently used first

    void erase(Entries::iterator entry);

    std::chrono::milliseconds ttl_;
    std::uint32_t max_entries_;
    std::uint64_t max_bytes_;
    std::uint64_t bytes_ = 0;
    Entries entries_;
    std::unordered_map<std::string_view, Entries::iterator> index_;  // views into Entry::key
};

}  // namespace herd
