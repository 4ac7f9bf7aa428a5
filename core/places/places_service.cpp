#include "places/places_service.hpp"

#include <chrono>
#include <utility>

#include "places/cache_policy.hpp"

namespace herd {

namespace {

using Clock = std::chrono::steady_clock;

// The gate counts a request in flight until it ends, however it ends.
struct InFlight {
    PlacesGate& gate;
    ~InFlight() { gate.finished(); }
};

}  // namespace

PlacesService::PlacesService(boost::asio::any_io_executor executor, PlacesSettings settings,
                             std::shared_ptr<spdlog::logger> log)
    : client_(std::move(executor), settings),
      log_(std::move(log)),
      gate_(settings.limits, Clock::now()),
      cache_(settings.limits.cache_ttl, settings.limits.caching() ? settings.limits.cache_entries : 0,
             settings.limits.cache_bytes) {}

boost::asio::awaitable<PlacesAnswer> PlacesService::fetch(const PlacesQuery& query, std::string_view who) {
    const PlacesSettings& settings = client_.settings();
    const std::string key = settings.limits.caching() ? answer_key(settings.api, query) : std::string();
    if (settings.limits.caching()) {
        if (const auto body = cache_.find(key, Clock::now())) {
            log_->info("{}: Places answer from the cache, {} bytes", who, body->size());
            co_return PlacesAnswer{.ok = true, .http_status = 200, .body = *body, .error = {}};
        }
    }
    auto verdict = gate_.admit(Clock::now());
    for (const auto& line : verdict.log) log_->warn("{}", line);
    if (verdict.refusal) co_return PlacesAnswer{.ok = false, .http_status = 0, .body = {}, .error = *verdict.refusal};

    log_->info("{}: Places request: {}", who, client_.describe(query));
    PlacesAnswer answer;
    {
        const InFlight counted{gate_};
        answer = co_await client_.fetch(query);
    }
    if (!answer.ok) {
        log_->warn("{}: Places failed: {}", who, answer.error);
        co_return answer;
    }
    log_->info("{}: Places answered HTTP 200, {} bytes", who, answer.body.size());
    if (settings.limits.caching() && worth_caching(settings.api, answer.body))
        cache_.store(key, answer.body, Clock::now());
    co_return answer;
}

}  // namespace herd
