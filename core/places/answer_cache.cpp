#include "places/answer_cache.hpp"

namespace herd {

AnswerCache::AnswerCache(std::chrono::milliseconds ttl, std::uint32_t max_entries, std::uint64_t max_bytes)
    : ttl_(ttl), max_entries_(max_entries), max_bytes_(max_bytes) {}

std::shared_ptr<const std::string> AnswerCache::find(std::string_view key, Clock::time_point now) {
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    const auto entry = it->second;
    if (now - entry->stored >= ttl_) {
        erase(entry);
        return nullptr;
    }
    entries_.splice(entries_.begin(), entries_, entry);
    return entry->body;
}

void AnswerCache::store(std::string key, std::string body, Clock::time_point now) {
    if (const auto it = index_.find(key); it != index_.end()) erase(it->second);
    Entry entry{std::move(key), std::make_shared<const std::string>(std::move(body)), now};
    if (max_entries_ == 0 || entry.cost() > max_bytes_) return;
    bytes_ += entry.cost();
    entries_.push_front(std::move(entry));
    index_.emplace(entries_.front().key, entries_.begin());
    while (entries_.size() > max_entries_ || bytes_ > max_bytes_) erase(std::prev(entries_.end()));
}

void AnswerCache::clear() {
    index_.clear();
    entries_.clear();
    bytes_ = 0;
}

void AnswerCache::erase(Entries::iterator entry) {
    bytes_ -= entry->cost();
    index_.erase(entry->key);
    entries_.erase(entry);
}

}  // namespace herd
