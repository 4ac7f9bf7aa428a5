#include "protocol/reply_text.hpp"

namespace herd {

std::optional<std::size_t> reply_end(std::string_view received, bool whatsat) {
    const std::size_t newline = received.find('\n');
    if (newline == std::string_view::npos) return std::nullopt;
    if (!whatsat || received.rfind("AT ", 0) != 0) return newline + 1;
    const std::size_t blank = received.find("\n\n", newline);
    if (blank == std::string_view::npos) return std::nullopt;
    return blank + 2;
}

std::string show_reply(std::string_view text) {
    std::string out;
    for (char c : text) out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out.size() > 400 ? out.substr(0, 400) + "..." : out;
}

}  // namespace herd
