#pragma once
// A stand-in neighbour for socket tests: accepts connections on 127.0.0.1 and keeps every byte
// it receives. It can be created on a chosen port later, to play a neighbour that comes up late.
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace herd::test {

class SinkServer {
public:
    explicit SinkServer(boost::asio::io_context& io, std::uint16_t port = 0);
    ~SinkServer();
    std::uint16_t port() const { return port_; }
    const std::string& received() const { return *received_; }
    std::size_t connections() const { return *connections_; }
    void close();

private:
    void accept();
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_;
    std::shared_ptr<std::string> received_ = std::make_shared<std::string>();
    std::shared_ptr<std::size_t> connections_ = std::make_shared<std::size_t>(0);
    std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
};

// A port on which nothing listens (bound, then released).
std::uint16_t unused_port(boost::asio::io_context& io);

}  // namespace herd::test
