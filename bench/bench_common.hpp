#pragma once
// What every benchmark file shares: the smoke switch, resident memory, percentiles, a precise way
// to run the io_context until something holds, and the request lines the load client sends.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace herd::bench {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// --smoke (CTest): every benchmark runs one short iteration with tiny sizes, and nothing is timed
// against anything.
bool smoke();
void set_smoke(bool on);

// Picks the full-run or the smoke-run value.
template <class T>
T sized(T full, T small) {
    return smoke() ? small : full;
}

// Resident set size of this process, from /proc/self/statm.
double rss_mib();

// The most this process has ever had resident (getrusage's ru_maxrss).
double peak_rss_mib();

// Bytes the process holds from malloc now (glibc's mallinfo2: in use, plus mmapped chunks). Unlike
// RSS, it grows with what a herd allocates even when malloc reuses memory freed by an earlier
// benchmark; kernel socket buffers are in neither.
double heap_bytes_in_use();

// Raises RLIMIT_NOFILE's soft limit to the hard limit (a 1000-node herd needs ~9000 descriptors).
void raise_descriptor_limit();

// Nearest-rank quantiles of `values` (microseconds, or whatever unit the caller uses).
struct Percentiles {
    double p50 = 0, p99 = 0, mean = 0, max = 0;
};
Percentiles percentiles(std::vector<double> values);

double micros(Clock::duration d);

// User plus system CPU time of the whole process so far (getrusage), in seconds: the herd, its
// clients and the loop all run in this process.
double cpu_seconds();

// Runs `io` one handler at a time until `done()` holds (checked after every handler, so no
// polling granularity) or `limit` passes; returns done().
bool drive(boost::asio::io_context& io, const std::function<bool()>& done, Clock::duration limit = 10s);

// Runs `io` for `span` (lets lingering coroutines finish after a herd is stopped).
void settle(boost::asio::io_context& io, Clock::duration span);

// A POSIX time that grows by one nanosecond per call, process-wide: every IAMAT it stamps is
// newer than every one before it, so each is a new update that floods the herd.
// `out_text` gets the time as POSIX seconds; `out_ns` the count since 1600000000 s.
void next_stamp(std::string& out_text, std::uint64_t& out_ns);

// Appends "IAMAT <client> +34.068930-118.445127 <next time>\n" to `out`.
void append_iamat(std::string& out, std::string_view client);

}  // namespace herd::bench

namespace herd::bench {

// The load every throughput benchmark applies, floor and herd alike: each connection keeps this
// many requests in flight, and one iteration is this many requests in all.
constexpr std::size_t load_window = 16;
std::uint64_t load_requests();

// Request `index` of connection `connection` in a throughput run: an IAMAT for one of 1024
// clients of that connection, with a time newer than any before it.
void append_load_iamat(std::string& out, std::size_t connection, std::uint64_t index);

// Each file registers its own benchmarks; main() calls these in this order (the floor first, so
// the herd's ratios divide by figures measured earlier in the same run).
void register_floor_benchmarks();
void register_parse_benchmarks();
void register_herd_benchmarks();
void register_scale_benchmarks();
void register_memory_benchmarks();
void register_catch_up_benchmarks();

// The floor's figures, from the floor benchmarks of this run, or measured now if they were
// filtered out.
double floor_rtt_p50_us();
double floor_rtt_p99_us();
double floor_throughput(std::size_t connections);  // requests per second

}  // namespace herd::bench
