#pragma once
// The course graders' client: a connection per request, one line written, a half-close, then every
// byte read until the server closes the connection, within 20 s. Blocking: grading asks one thing
// at a time, as the graders do.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace herd::sim::grade {

struct Exchange {
    // closed: the server closed after `got`; complete: a whole line came and the client stopped
    // there (persistent_requests); timed_out: nothing more came in time.
    enum class End { closed, complete, timed_out, refused, reset };
    std::string sent;
    std::string got;  // every byte that came back
    End end = End::refused;
    std::chrono::steady_clock::time_point sent_at, ended_at;
};

constexpr std::chrono::milliseconds course_timeout{20000};

// `line` as given (the caller writes its "\n", or not).
Exchange course_request(std::uint16_t port, std::string_view line, std::chrono::milliseconds timeout = course_timeout);

// Two lines on one connection without a half-close, each answered before the next is written:
// the framing a persistent client needs (a reply ends with its line end, not with the close).
// The second exchange is empty when the first got no complete line within `timeout`.
struct KeptOpen {
    Exchange first, second;
};
KeptOpen persistent_requests(std::uint16_t port, std::string_view first, std::string_view second,
                             std::chrono::milliseconds timeout);

// Whether something accepts a connection on `port` now (opened and closed at once, as the graders
// check a server is up).
bool accepts(std::uint16_t port);

// For reports: "sent \"IAMAT …\\n\" at 1.204 s, got \"AT …\\n\" (then closed) at 1.210 s";
// times from `start`.
std::string describe(const Exchange& exchange, std::chrono::steady_clock::time_point start);

}  // namespace herd::sim::grade
