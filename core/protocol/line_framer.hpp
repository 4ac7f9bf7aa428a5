#pragma once
// Lines out of a byte stream, sans I/O: feed() what one read returned, then next() until it has
// nothing, and finish() at EOF. The server, the relays, the echo floor and the fuzzer all frame
// with this, so the limit, the CR rule and the EOF rule are the same everywhere.
//
// A line is the bytes before a '\n'; a '\r' just before the '\n' is not part of it. A line that
// arrives whole in one feed is a view into the caller's bytes (no copy); only the unterminated
// part at the end of a feed is copied, to be joined with what comes next.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace herd {

struct Frame {
    enum class Kind {
        line,         // ended by '\n'
        tail_at_eof,  // the non-empty unterminated tail, from finish(): the caller applies the EOF rule
        overlong,     // more than max_line bytes before its '\n' (a '\r' counts), or without one yet
    };
    Kind kind = Kind::line;
    std::string_view text;    // line and tail: without the ending; overlong: every byte of it held so far
    std::string_view ending;  // what was cut off the end: "\r\n", "\n", "\r" (a tail) or ""

    // Sets `out` to text + ending, the bytes exactly as they came, for callers that pass lines on
    // unchanged; `out`'s buffer is reused, so a caller that keeps strings allocates nothing per line.
    void bytes_into(std::string& out) const {
        out.assign(text);
        out += ending;
    }
};

class LineFramer {
public:
    explicit LineFramer(std::size_t max_line) : max_line_(max_line) {}

    // The bytes of one read, once next() has returned nothing. They must stay valid and unchanged
    // until next() returns nothing again.
    void feed(std::string_view bytes);

    // The next line, or nothing until more bytes are fed. A frame's views stay valid until the
    // next call. After an overlong frame framing goes on with the bytes that follow it (the server
    // closes instead; a relay passes the bytes on), so every byte fed comes out once, in order.
    std::optional<Frame> next();

    // At EOF, once next() has returned nothing: the unterminated tail if there is one (its view
    // stays valid until the next call).
    std::optional<Frame> finish();

    // Bytes of a line begun but not ended yet (after next() returned nothing).
    std::size_t partial_bytes() const { return partial_.size() + input_.size(); }

private:
    std::string_view take(std::size_t n);  // the next n input bytes, joined to partial_ if a line began there
    void release();

    std::size_t max_line_;
    std::string_view input_;  // the part of the last feed not framed yet
    std::string partial_;     // a line begun in an earlier feed, waiting for its '\n'
    bool partial_given_ = false;  // partial_ backs the frame just returned: drop it on the next call
};

}  // namespace herd
