#pragma once
// The floor: the least a line server on one io_context can do. It frames lines exactly as the
// herd's sessions do (read what is there, the sessions' LineFramer, answer every complete line of
// one read in one write) and echoes each line back. Nothing else: no parsing, no state, no peers.
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>

namespace herd::bench {

class EchoServer {
public:
    explicit EchoServer(boost::asio::io_context& io);  // listens on 127.0.0.1, an OS-chosen port
    ~EchoServer();
    EchoServer(const EchoServer&) = delete;
    EchoServer& operator=(const EchoServer&) = delete;

    std::uint16_t port() const;
    void stop();  // closes the listener and every connection

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace herd::bench
