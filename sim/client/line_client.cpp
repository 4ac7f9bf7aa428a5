#include "client/line_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>

#include "async/nothrow.hpp"

namespace herd::sim {

namespace asio = boost::asio;
using asio::ip::tcp;

bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        io.restart();
        io.run_for(2ms);
    }
    return true;
}

void run_for(asio::io_context& io, std::chrono::milliseconds span) {
    run_until(io, [] { return false; }, span);
}

LineClient::LineClient(asio::io_context& io, std::uint16_t port, FailureSink failed)
    : io_(io), failed_(std::move(failed)), state_(std::make_shared<State>(io)) {
    state_->socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    state_->socket.set_option(tcp::no_delay(true));
}

void LineClient::send(std::string_view bytes) {
    asio::write(state_->socket, asio::buffer(bytes.data(), bytes.size()));
}

void LineClient::send_async(std::string bytes) {
    auto state = state_;
    state->sending = std::move(bytes);
    asio::async_write(state->socket, asio::buffer(state->sending),
                      [state, report = report_failure("line client: writing in the background", failed_)](
                          boost::system::error_code ec, std::size_t) {
                          if (ec) report(std::make_exception_ptr(boost::system::system_error(ec)));
                      });
}

LineClient::LineCount LineClient::count_lines(std::size_t count, std::string_view prefix, std::chrono::milliseconds limit) {
    auto& s = *state_;
    LineCount counted;
    std::size_t start = 0;  // where the next line begins in s.received
    run_until(io_, [&] {
        for (std::size_t end; counted.lines < count && (end = s.received.find('\n', start)) != std::string::npos;
             start = end + 1) {
            ++counted.lines;
            if (std::string_view(s.received).substr(start, end - start).starts_with(prefix)) ++counted.matching;
        }
        s.received.erase(0, start);
        start = 0;
        if (counted.lines >= count || s.eof) return true;
        start_read();
        return false;
    }, limit);
    return counted;
}

void LineClient::shutdown_send() { state_->socket.shutdown(tcp::socket::shutdown_send); }

void LineClient::close() {
    boost::system::error_code ignored;
    state_->socket.close(ignored);
}

void LineClient::start_read() {
    if (state_->reading || state_->eof) return;
    state_->reading = true;
    auto state = state_;
    state->socket.async_read_some(asio::buffer(state->chunk), [state](boost::system::error_code ec, std::size_t n) {
        state->reading = false;
        state->received.append(state->chunk, n);
        if (ec) state->eof = true;
        state->wake.cancel();
    });
}

asio::awaitable<void> LineClient::wait_for_bytes(std::chrono::steady_clock::time_point deadline) {
    const auto state = state_;  // the client may be dropped while this waits
    const std::size_t before = state->received.size();
    start_read();
    while (state->received.size() == before && !state->eof && std::chrono::steady_clock::now() < deadline) {
        state->wake.expires_at(deadline);
        co_await state->wake.async_wait(nothrow);
        start_read();
    }
}

std::string LineClient::read_until(std::string_view terminator, std::chrono::milliseconds limit) {
    auto& s = *state_;
    std::size_t at = std::string::npos;
    run_until(io_, [&] {
        start_read();
        return (at = s.received.find(terminator)) != std::string::npos || s.eof;
    }, limit);
    const std::size_t end = at == std::string::npos ? s.received.size() : at + terminator.size();
    std::string out = s.received.substr(0, end);
    s.received.erase(0, end);
    return out;
}

std::string LineClient::read_to_eof(std::chrono::milliseconds limit) {
    run_until(io_, [&] {
        start_read();
        return state_->eof;
    }, limit);
    std::string out = std::move(state_->received);
    state_->received.clear();
    return out;
}

}  // namespace herd::sim
