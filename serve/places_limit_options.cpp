#include "serve/places_limit_options.hpp"

#include <string>

namespace herd::serve {

namespace {

std::string with_default(const std::string& what, std::uint64_t value) {
    return what + " (default " + std::to_string(value) + ")";
}

}  // namespace

void add_places_limit_options(CLI::App& command, ServeFlags& flags) {
    const auto& d = serve_places_limits;
    const auto count = CLI::Range(std::uint64_t{0}, std::uint64_t{max_places_count});
    command.add_option("--places-rate", flags.places_rate,
                       with_default("Places requests a second per server, 0 to 1000000; 0: no rate limit", d.rate_per_second))
        ->check(count);
    command.add_option("--places-burst", flags.places_burst,
                       with_default("Places requests a server may send at once before the rate applies, 1 to 1000000", d.burst))
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{max_places_count}));
    command.add_option("--places-in-flight", flags.places_in_flight,
                       with_default("Places requests a server may have waiting at once, 0 to 1000000; 0: no bound",
                                    d.max_in_flight))
        ->check(count);
    command.add_option("--places-cache-ttl-ms", flags.places_cache_ttl_ms,
                       with_default("How long a Places answer is reused, ms, 0 to 86400000; 0: no cache",
                                    static_cast<std::uint64_t>(d.cache_ttl.count())))
        ->check(CLI::Range(std::uint64_t{0}, static_cast<std::uint64_t>(max_places_cache_ttl.count())));
    command.add_option("--places-cache-size", flags.places_cache_size,
                       with_default("Places answers a server keeps, 0 to 1000000; 0: no cache", d.cache_entries))
        ->check(count);
    command.add_option("--places-cache-bytes", flags.places_cache_bytes,
                       with_default("Bytes of Places answers a server keeps, 0 to 1073741824; 0: no cache", d.cache_bytes))
        ->check(CLI::Range(std::uint64_t{0}, max_places_cache_bytes));
}

void apply_places_limit_flags(const ServeFlags& flags, PlacesLimits& limits) {
    if (flags.places_rate) limits.rate_per_second = *flags.places_rate;
    if (flags.places_burst) limits.burst = *flags.places_burst;
    if (flags.places_in_flight) limits.max_in_flight = *flags.places_in_flight;
    if (flags.places_cache_ttl_ms) limits.cache_ttl = std::chrono::milliseconds(*flags.places_cache_ttl_ms);
    if (flags.places_cache_size) limits.cache_entries = *flags.places_cache_size;
    if (flags.places_cache_bytes) limits.cache_bytes = *flags.places_cache_bytes;
}

}  // namespace herd::serve
