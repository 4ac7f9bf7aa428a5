#pragma once
// Reply latencies in bounded memory: 128 buckets per power of two of nanoseconds, so a quantile is
// reported as its bucket's upper end, never below the exact value and less than 1% above it. The
// maximum is exact.
#include <array>
#include <cstdint>

namespace herd::load {

class LatencyHistogram {
public:
    void record(std::uint64_t nanos);
    std::uint64_t count() const { return count_; }
    std::uint64_t max() const { return max_; }
    // q in (0, 1]: the smallest recorded value v such that at least q of all values are <= v,
    // rounded up to its bucket's end; 0 when nothing was recorded.
    std::uint64_t quantile(double q) const;

    static constexpr unsigned sub_bits = 7;
    static constexpr std::size_t buckets = (std::size_t{1} << sub_bits) * (64 - sub_bits + 1);

private:
    std::array<std::uint64_t, buckets> counts_{};
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace herd::load
