#include "bench_common.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

namespace herd::bench {

namespace {
bool smoke_mode = false;
std::uint64_t stamp_counter = 0;
}  // namespace

bool smoke() { return smoke_mode; }
void set_smoke(bool on) { smoke_mode = on; }

double rss_mib() {
    long pages_total = 0, pages_resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
        std::fclose(f);
    }
    return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB
}

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double heap_bytes_in_use() {
    const struct mallinfo2 info = mallinfo2();
    return static_cast<double>(info.uordblks) + static_cast<double>(info.hblkhd);
}

void raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

Percentiles percentiles(std::vector<double> values) {
    Percentiles p;
    if (values.empty()) return p;
    std::sort(values.begin(), values.end());
    const auto rank = [&](std::size_t percent) {
        const std::size_t r = (percent * values.size() + 99) / 100;
        return values[std::max<std::size_t>(r, 1) - 1];
    };
    p.p50 = rank(50);
    p.p99 = rank(99);
    p.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    p.max = values.back();
    return p;
}

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

bool drive(boost::asio::io_context& io, const std::function<bool()>& done, Clock::duration limit) {
    const auto deadline = Clock::now() + limit;
    while (!done()) {
        const auto now = Clock::now();
        if (now >= deadline) return false;
        if (io.stopped()) io.restart();
        io.run_one_for(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + 1ms);
    }
    return true;
}

void settle(boost::asio::io_context& io, Clock::duration span) {
    io.restart();
    io.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(span));
    io.restart();
}

void next_stamp(std::string& out, std::uint64_t& ns) {
    ns = ++stamp_counter;
    const std::uint64_t seconds = 1'600'000'000 + ns / 1'000'000'000;
    const std::uint64_t fraction = ns % 1'000'000'000;
    char text[32];
    const int n = std::snprintf(text, sizeof text, "%llu.%09llu", static_cast<unsigned long long>(seconds),
                                static_cast<unsigned long long>(fraction));
    out.assign(text, static_cast<std::size_t>(n));
}

void append_iamat(std::string& out, std::string_view client) {
    std::string time;
    std::uint64_t ns;
    next_stamp(time, ns);
    out += "IAMAT ";
    out += client;
    out += " +34.068930-118.445127 ";
    out += time;
    out += '\n';
}

}  // namespace herd::bench

namespace herd::bench {

std::uint64_t load_requests() { return sized<std::uint64_t>(50000, 400); }

void append_load_iamat(std::string& out, std::size_t connection, std::uint64_t index) {
    char client[32];
    const int n = std::snprintf(client, sizeof client, "c%zu-%llu", connection,
                                static_cast<unsigned long long>(index % 1024));
    append_iamat(out, std::string_view(client, static_cast<std::size_t>(n)));
}

}  // namespace herd::bench
