// herdsim results: the results folder served to a browser on 127.0.0.1, as `maelstrom serve` does.
// One coroutine per connection, one request each (Connection: close), so a browser's idle or
// speculative connection never holds up another; files only from inside the folder. Ctrl-C or
// SIGTERM ends it with exit code 0.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cctype>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "async/nothrow.hpp"
#include "async/report_failure.hpp"
#include "cli/commands.hpp"
#include "report/format.hpp"
#include "report/pages.hpp"

namespace herdsim::cli {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

struct ResultsArgs {
    std::string dir = "results";
    unsigned short port = 8080;
};

std::string content_type(const fs::path& path) {
    const std::string ext = path.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".json") return "application/json";
    return "text/plain; charset=utf-8";
}

// The file a request path names inside `root`, or nothing: "..", a path outside, or no such file.
std::optional<fs::path> resolve(const fs::path& root, std::string target) {
    target = target.substr(0, target.find_first_of("?#"));
    std::string path;
    for (std::size_t i = 0; i < target.size(); ++i) {
        if (target[i] == '%' && i + 2 < target.size() && std::isxdigit(static_cast<unsigned char>(target[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(target[i + 2]))) {
            path += static_cast<char>(std::stoi(target.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            path += target[i];
        }
    }
    const fs::path relative = fs::path(path).relative_path().lexically_normal();
    if (!relative.empty() && *relative.begin() == "..") return std::nullopt;
    std::error_code ec;
    fs::path file = fs::weakly_canonical(root / relative, ec);
    if (ec) return std::nullopt;
    if (fs::is_directory(file, ec) && fs::exists(file / "index.html", ec)) file /= "index.html";
    const fs::path canonical_root = fs::weakly_canonical(root, ec);
    const auto [r, f] = std::mismatch(canonical_root.begin(), canonical_root.end(), file.begin(), file.end());
    if (r != canonical_root.end() || !(fs::is_regular_file(file, ec) || fs::is_directory(file, ec))) return std::nullopt;
    return file;
}

// A folder with no index.html (a run's logs/): its files, linked.
std::string listing(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
        names.push_back(entry.path().filename().string() + (entry.is_directory() ? "/" : ""));
    std::sort(names.begin(), names.end());
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                       herd::sim::xml_escape(dir.filename().string()) + "</title>\n</head>\n<body>\n<ul>\n";
    for (const auto& n : names)
        html += "<li><a href=\"" + herd::sim::xml_escape(n) + "\">" + herd::sim::xml_escape(n) + "</a></li>\n";
    return html + "</ul>\n</body>\n</html>\n";
}

http::response<http::string_body> answer(const http::request<http::string_body>& request, const fs::path& root) {
    http::response<http::string_body> response;
    response.version(request.version());
    response.keep_alive(false);
    response.set(http::field::server, "herdsim");
    const auto file = request.method() == http::verb::get || request.method() == http::verb::head
                          ? resolve(root, std::string(request.target()))
                          : std::nullopt;
    std::error_code ec;
    if (file) {
        // results/index.html is made again at each request, so a run that just ended is listed.
        if (file->filename() == "index.html" && fs::equivalent(file->parent_path(), root, ec)) {
            try {
                herd::sim::write_results_index(root);
            } catch (const std::exception&) {
                // The page written before is served.
            }
        }
        std::ostringstream body;
        if (fs::is_directory(*file, ec)) {
            body << listing(*file);
        } else {
            std::ifstream in(*file, std::ios::binary);
            body << in.rdbuf();
        }
        response.result(http::status::ok);
        response.set(http::field::content_type, fs::is_directory(*file, ec) ? "text/html; charset=utf-8" : content_type(*file));
        response.set(http::field::cache_control, "no-store");
        response.body() = body.str();
    } else {
        response.result(http::status::not_found);
        response.set(http::field::content_type, "text/plain; charset=utf-8");
        response.body() = "not found: " + std::string(request.target()) + "\n";
    }
    response.prepare_payload();
    if (request.method() == http::verb::head) response.body().clear();
    return response;
}

// One connection: one request read (a client that sends nothing for 30 s is dropped), one answer.
asio::awaitable<void> serve_connection(boost::beast::tcp_stream stream, fs::path root) {
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    stream.expires_after(std::chrono::seconds(30));
    if (auto [ec, n] = co_await http::async_read(stream, buffer, request, herd::nothrow); ec) co_return;
    auto response = answer(request, root);
    co_await http::async_write(stream, response, herd::nothrow);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, fs::path root) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(herd::nothrow);
        if (ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // Out of descriptors or a connection reset before it was taken: say so, wait a moment
            // so that a persistent error does not spin, and go on serving.
            std::cerr << "herdsim results: accept: " << ec.message() << "\n";
            asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(herd::nothrow);
            continue;
        }
        asio::co_spawn(acceptor.get_executor(), serve_connection(boost::beast::tcp_stream(std::move(socket)), root),
                       herd::report_failure("herdsim results: connection", herd::print_failure));
    }
}

int serve_results(const ResultsArgs& args) {
    const fs::path root = args.dir;
    if (!fs::is_directory(root)) {
        std::cerr << "herdsim results: " << args.dir << ": no such folder (run a scenario first: herdsim run scenarios/)\n";
        return 2;
    }
    try {
        herd::sim::write_results_index(root);
        asio::io_context io;
        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), args.port));
        asio::signal_set stop(io, SIGINT, SIGTERM);
        stop.async_wait([&](const boost::system::error_code& ec, int) {
            if (!ec) io.stop();
        });
        std::cout << "herdsim results: serving " << args.dir << " at http://127.0.0.1:" << acceptor.local_endpoint().port()
                  << "/ (Ctrl-C stops)" << std::endl;
        asio::co_spawn(io, accept_loop(acceptor, root), herd::report_failure("herdsim results: accept loop", herd::print_failure));
        io.run();
        std::cout << "herdsim results: stopped" << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "herdsim results: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace

void add_results_command(CLI::App& app, Action& action) {
    auto args = std::make_shared<ResultsArgs>();
    auto* cmd = app.add_subcommand("results", "Serve the results folder to a browser on 127.0.0.1: every run, its verdict, tables, plots and files");
    cmd->add_option("DIR", args->dir, "The results folder")->capture_default_str();
    cmd->add_option("--port", args->port, "The port on 127.0.0.1 (0: one the system picks, printed)")->capture_default_str();
    cmd->footer(R"(Prints the address and serves until Ctrl-C. results/index.html lists every run, newest first,
its verdict in colour; each run's index.html shows its tables, plots, diagram and files.

Examples:
  herdsim results                      then open http://127.0.0.1:8080/
  herdsim results /tmp/out --port 0)");
    cmd->callback([args, &action] { action = [args] { return serve_results(*args); }; });
}

}  // namespace herdsim::cli
