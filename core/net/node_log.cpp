#include "net/node_log.hpp"

#include <spdlog/sinks/rotating_file_sink.h>

namespace herd {

std::shared_ptr<spdlog::logger> make_node_log(const std::string& name, const std::filesystem::path& dir,
                                              const ServerLimits& limits) {
    if (dir.empty()) {
        auto quiet = std::make_shared<spdlog::logger>(name);
        quiet->set_level(spdlog::level::off);
        return quiet;
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error(name + ": cannot create log folder " + dir.string() + ": " + ec.message());
    try {
        auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_st>(
            (dir / (name + ".log")).string(), static_cast<std::size_t>(limits.log_max_bytes), limits.log_files);
        auto log = std::make_shared<spdlog::logger>(name, std::move(sink));
        log->set_pattern("%Y-%m-%d %H:%M:%S.%f %n %l %v");
        log->flush_on(spdlog::level::warn);
        return log;
    } catch (const spdlog::spdlog_ex& e) {
        throw std::runtime_error(name + ": cannot open log file in " + dir.string() + ": " + e.what());
    }
}

FailureSink node_failure_sink(std::shared_ptr<spdlog::logger> log, ServerObserver* observer, std::string name) {
    return [log = std::move(log), observer, name = std::move(name)](const std::string& message) {
        log->error("{}", message);
        log->flush();
        if (observer)
            observer->on_failure(name, message);
        else
            print_failure(message);
    };
}

std::string printable(std::string_view text) {
    const std::string_view shown = text.substr(0, log_cut_bytes);
    std::string out;
    out.reserve(shown.size());
    for (unsigned char c : shown) {
        switch (c) {
            case '\r': out += "\\r"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\f': out += "\\f"; break;
            case '\v': out += "\\v"; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    static const char hex[] = "0123456789abcdef";
                    out += "\\x";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    if (shown.size() < text.size()) out += "\u2026 (" + std::to_string(text.size()) + " bytes)";
    return out;
}

}  // namespace herd
