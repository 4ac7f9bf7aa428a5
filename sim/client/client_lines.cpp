#include "client/client_lines.hpp"

#include "protocol/eof_tail.hpp"

namespace herd::sim {

std::vector<std::string> ClientLines::wrote(std::string_view bytes, bool eof) {
    std::vector<std::string> lines;
    if (closed_) return lines;
    framer_.feed(bytes);
    while (const auto frame = framer_.next()) {
        if (frame->kind == Frame::Kind::overlong) {
            closed_ = true;
            return lines;
        }
        lines.emplace_back(frame->text);
    }
    if (eof)
        if (const auto tail = framer_.finish(); tail && processed_at_eof(tail->text)) lines.emplace_back(tail->text);
    return lines;
}

}  // namespace herd::sim
