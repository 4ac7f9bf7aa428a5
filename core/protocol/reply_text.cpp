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
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (byte < 0x20 || byte == 0x7f) out += std::string("\\x") + hex[byte >> 4] + hex[byte & 15];
        else out += c;
    }
    return out.size() > 400 ? out.substr(0, 400) + "..." : out;
}

}  // namespace herd
