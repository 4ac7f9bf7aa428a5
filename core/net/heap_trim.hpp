#pragma once
// Hands freed heap back to the system once a wave of connections has gone. glibc keeps the pages
// of freed small blocks (a session's coroutine frames, its 16 KiB read buffer) for reuse, so
// 20,000 connections that came and went would leave their memory resident for good.
#include <cstddef>

namespace herd {

class HeapTrim {
public:
    // Waves smaller than this are not worth a trim (it walks the whole heap).
    static constexpr std::size_t min_wave = 64;

    void opened(std::size_t open);
    // Trims once at most a quarter of the wave's peak is left open.
    void closed(std::size_t open);

private:
    std::size_t peak_ = 0;
};

}  // namespace herd
