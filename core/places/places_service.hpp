#pragma once
// What a server asks when a WHATSAT needs places: a recent answer from the cache, or else a fresh
// request through the Places client if the limits allow one, or else a refusal naming the limit.
// Each outcome goes to the server's log.
#include <memory>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <spdlog/logger.h>

#include "places/answer_cache.hpp"
#include "places/places_client.hpp"
#include "places/places_gate.hpp"

namespace herd {

class PlacesService {
public:
    // Throws std::invalid_argument as PlacesClient does.
    PlacesService(boost::asio::any_io_executor executor, PlacesSettings settings, std::shared_ptr<spdlog::logger> log);

    // `who` names the asking connection in the log. Never throws; a refusal is an answer with
    // !ok and its reason as the error.
    boost::asio::awaitable<PlacesAnswer> fetch(const PlacesQuery& query, std::string_view who);

    // Forgets every cached answer: the next WHATSAT for anything asks the service again.
    void clear_cache() { cache_.clear(); }
    const AnswerCache& cache() const { return cache_; }

private:
    PlacesClient client_;
    std::shared_ptr<spdlog::logger> log_;
    PlacesGate gate_;
    AnswerCache cache_;
};

}  // namespace herd
