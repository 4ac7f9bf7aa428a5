#include "grade/course_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "protocol/reply_text.hpp"

namespace herd::sim::grade {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t read_most = 1'000'000;  // the graders' recv size

class Socket {
public:
    explicit Socket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    bool connected() const { return connected_; }
    int fd() const { return fd_; }

private:
    int fd_;
    bool connected_ = false;
};

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Reads into `exchange.got` until the close, an error, the deadline, or `enough` says stop.
template <typename Enough>
void read_until(int fd, Exchange& exchange, Clock::time_point deadline, Enough enough) {
    char chunk[8192];
    for (;;) {
        if (enough(exchange.got)) break;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            exchange.end = Exchange::End::timed_out;
            break;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            exchange.end = n == 0 ? Exchange::End::closed : Exchange::End::reset;
            break;
        }
        exchange.got.append(chunk, static_cast<std::size_t>(n));
        if (exchange.got.size() >= read_most) break;
    }
    exchange.ended_at = Clock::now();
}

std::string seconds(Clock::duration d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f s", std::chrono::duration<double>(d).count());
    return text;
}

}  // namespace

Exchange course_request(std::uint16_t port, std::string_view line, std::chrono::milliseconds timeout) {
    Exchange exchange{std::string(line), "", Exchange::End::refused, Clock::now(), {}};
    Socket socket(port);
    if (!socket.connected() || !write_all(socket.fd(), line)) {
        exchange.ended_at = Clock::now();
        return exchange;
    }
    ::shutdown(socket.fd(), SHUT_WR);
    read_until(socket.fd(), exchange, exchange.sent_at + timeout, [](const std::string&) { return false; });
    return exchange;
}

KeptOpen persistent_requests(std::uint16_t port, std::string_view first, std::string_view second,
                             std::chrono::milliseconds timeout) {
    KeptOpen out;
    out.first = {std::string(first), "", Exchange::End::refused, Clock::now(), {}};
    Socket socket(port);
    auto line_done = [](const std::string& got) { return !got.empty() && got.back() == '\n'; };
    if (!socket.connected() || !write_all(socket.fd(), first)) {
        out.first.ended_at = Clock::now();
        return out;
    }
    out.first.end = Exchange::End::complete;
    read_until(socket.fd(), out.first, out.first.sent_at + timeout, line_done);
    if (!line_done(out.first.got)) return out;
    out.second = {std::string(second), "", Exchange::End::complete, Clock::now(), {}};
    if (!write_all(socket.fd(), second)) {
        out.second.end = Exchange::End::reset;
        out.second.ended_at = Clock::now();
        return out;
    }
    read_until(socket.fd(), out.second, out.second.sent_at + timeout, line_done);
    return out;
}

bool accepts(std::uint16_t port) { return Socket(port).connected(); }

std::string describe(const Exchange& exchange, Clock::time_point start) {
    const std::string text = "sent \"" + show_reply(exchange.sent) + "\" at " + seconds(exchange.sent_at - start) + ", ";
    if (exchange.end == Exchange::End::refused) return text + "the connection was refused";
    const char* then = exchange.end == Exchange::End::closed      ? " (then closed)"
                       : exchange.end == Exchange::End::timed_out ? " (then nothing more within the timeout)"
                       : exchange.end == Exchange::End::reset     ? " (then the connection was reset)"
                                                                  : "";
    return text + (exchange.got.empty() ? "got nothing at all" : "got \"" + show_reply(exchange.got) + "\"") + then +
           " at " + seconds(exchange.ended_at - start);
}

}  // namespace herd::sim::grade
