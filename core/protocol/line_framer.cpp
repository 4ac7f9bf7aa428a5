#include "protocol/line_framer.hpp"

namespace herd {

namespace {

// A '\r' at the end of `text` goes into the ending, with whatever ended the line after it.
Frame cut_cr(Frame::Kind kind, std::string_view text, std::string_view with_cr, std::string_view without_cr) {
    if (!text.empty() && text.back() == '\r') return {kind, text.substr(0, text.size() - 1), with_cr};
    return {kind, text, without_cr};
}

}  // namespace

void LineFramer::feed(std::string_view bytes) { input_ = bytes; }

std::string_view LineFramer::take(std::size_t n) {
    std::string_view out = input_.substr(0, n);
    input_.remove_prefix(n);
    if (partial_.empty()) return out;
    partial_.append(out);
    partial_given_ = true;
    return partial_;
}

void LineFramer::release() {
    if (!partial_given_) return;
    partial_.clear();
    partial_given_ = false;
}

std::optional<Frame> LineFramer::next() {
    release();
    const std::size_t nl = input_.find('\n');
    if (nl == std::string_view::npos) {
        if (partial_.size() + input_.size() > max_line_) return Frame{Frame::Kind::overlong, take(input_.size()), {}};
        partial_.append(input_);
        input_ = {};
        return std::nullopt;
    }
    const std::string_view line = take(nl);
    input_.remove_prefix(1);
    return cut_cr(line.size() > max_line_ ? Frame::Kind::overlong : Frame::Kind::line, line, "\r\n", "\n");
}

std::optional<Frame> LineFramer::finish() {
    release();
    if (partial_.empty()) return std::nullopt;
    partial_given_ = true;
    return cut_cr(Frame::Kind::tail_at_eof, partial_, "\r", "");
}

}  // namespace herd
