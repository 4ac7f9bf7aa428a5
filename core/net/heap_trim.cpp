#include "net/heap_trim.hpp"

#include <algorithm>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace herd {

void HeapTrim::opened(std::size_t open) { peak_ = std::max(peak_, open); }

void HeapTrim::closed(std::size_t open) {
    if (peak_ < min_wave || open > peak_ / 4) return;
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    peak_ = open;
}

}  // namespace herd
