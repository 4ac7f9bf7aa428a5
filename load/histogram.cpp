#include "load/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace herd::load {

namespace {

constexpr unsigned sub_bits = LatencyHistogram::sub_bits;
constexpr std::uint64_t sub = std::uint64_t{1} << sub_bits;

// Values below 2^7 have a bucket each; above, a power of two 2^e splits into 2^7 buckets.
std::size_t bucket(std::uint64_t v) {
    if (v < sub) return static_cast<std::size_t>(v);
    const unsigned shift = static_cast<unsigned>(std::bit_width(v)) - 1 - sub_bits;
    return static_cast<std::size_t>((shift + 1) * sub + ((v >> shift) - sub));
}

std::uint64_t bucket_end(std::size_t index) {
    if (index < sub) return index;
    const unsigned shift = static_cast<unsigned>(index / sub) - 1;
    const std::uint64_t start = (sub + index % sub) << shift;
    return start + ((std::uint64_t{1} << shift) - 1);
}

}  // namespace

void LatencyHistogram::record(std::uint64_t nanos) {
    ++counts_[bucket(nanos)];
    ++count_;
    max_ = std::max(max_, nanos);
}

std::uint64_t LatencyHistogram::quantile(double q) const {
    if (count_ == 0) return 0;
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::min(bucket_end(i), max_);
    }
    return max_;
}

}  // namespace herd::load
