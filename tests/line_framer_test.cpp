// The one line framer of the pure core, byte for byte: every split of the input, CR, the limit
// at and one over, the tail at EOF; and the EOF rule for tails.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "client/client_lines.hpp"
#include "protocol/eof_tail.hpp"
#include "protocol/line_framer.hpp"

using namespace herd;

namespace {

// A frame copied out, so it can outlive the framer's views.
struct Out {
    Frame::Kind kind;
    std::string text;
    std::string ending;
    bool operator==(const Out&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Out& o) {
    const char* kinds[] = {"line", "tail_at_eof", "overlong"};
    return os << kinds[static_cast<int>(o.kind)] << " '" << o.text << "' + '" << o.ending << "'";
}

Out line(std::string text, std::string ending = "\n") { return {Frame::Kind::line, std::move(text), std::move(ending)}; }
Out tail(std::string text, std::string ending = "") { return {Frame::Kind::tail_at_eof, std::move(text), std::move(ending)}; }
Out overlong(std::string text, std::string ending = "") { return {Frame::Kind::overlong, std::move(text), std::move(ending)}; }

// Feeds `pieces` one after the other (each from its own buffer, as reads are), then EOF.
std::vector<Out> frame(const std::vector<std::string>& pieces, std::size_t max_line = 1000) {
    LineFramer framer(max_line);
    std::vector<Out> out;
    for (const std::string& piece : pieces) {
        const std::string read = piece;  // the caller's buffer: valid until next() returns nothing
        framer.feed(read);
        while (const auto f = framer.next()) out.push_back({f->kind, std::string(f->text), std::string(f->ending)});
    }
    if (const auto f = framer.finish()) out.push_back({f->kind, std::string(f->text), std::string(f->ending)});
    return out;
}

std::vector<Out> frame(const std::string& input, std::size_t max_line = 1000) {
    return frame(std::vector<std::string>{input}, max_line);
}

bool points_into(std::string_view view, const std::string& buffer) {
    return !std::less<>{}(view.data(), buffer.data()) && std::less<>{}(view.data(), buffer.data() + buffer.size());
}

}  // namespace

TEST_CASE("Lines, CR before LF, empty lines and the tail at EOF", "[framer]") {
    CHECK(frame("IAMAT a\nWHATSAT b\r\n\n\r\nlast") ==
          std::vector<Out>{line("IAMAT a"), line("WHATSAT b", "\r\n"), line(""), line("", "\r\n"), tail("last")});
    CHECK(frame("").empty());
    CHECK(frame("done\n") == std::vector<Out>{line("done")});
    // Only a CR just before the LF is cut: others stay in the line.
    CHECK(frame("a\rb\n\r\r\n") == std::vector<Out>{line("a\rb"), line("\r", "\r\n")});
    // A tail loses a final CR as a line does, and a tail of one CR is still a (blank) tail.
    CHECK(frame("cut\r") == std::vector<Out>{tail("cut", "\r")});
    CHECK(frame("\r") == std::vector<Out>{tail("", "\r")});
}

TEST_CASE("Every split of the input frames the same", "[framer]") {
    const std::string input = "IAMAT kiwi +34-118 1520023934.918963997\r\n\nWHATSAT kiwi 10 5\nAT Alford +0.1 kiwi";
    const std::vector<Out> whole = frame(input);
    REQUIRE(whole.size() == 4);
    for (std::size_t i = 0; i <= input.size(); ++i)
        for (std::size_t j = i; j <= input.size(); ++j) {
            INFO("split at " << i << " and " << j);
            CHECK(frame({input.substr(0, i), input.substr(i, j - i), input.substr(j)}) == whole);
        }
    std::vector<std::string> bytes;
    for (char c : input) bytes.emplace_back(1, c);
    CHECK(frame(bytes) == whole);
}

TEST_CASE("The limit: exactly max_line bytes before the LF is a line, one more is overlong", "[framer]") {
    CHECK(frame(std::string(10, 'a') + "\n", 10) == std::vector<Out>{line(std::string(10, 'a'))});
    CHECK(frame(std::string(11, 'a') + "\n", 10) == std::vector<Out>{overlong(std::string(11, 'a'), "\n")});
    // The CR counts: it is a byte before the LF.
    CHECK(frame(std::string(9, 'a') + "\r\n", 10) == std::vector<Out>{line(std::string(9, 'a'), "\r\n")});
    CHECK(frame(std::string(10, 'a') + "\r\n", 10) == std::vector<Out>{overlong(std::string(10, 'a'), "\r\n")});
    // A tail of exactly the limit waits for its LF; one byte more is overlong at once.
    CHECK(frame(std::string(10, 'a'), 10) == std::vector<Out>{tail(std::string(10, 'a'))});
    LineFramer framer(10);
    const std::string eleven(11, 'b');
    framer.feed(eleven);
    const auto f = framer.next();
    REQUIRE(f);
    CHECK(f->kind == Frame::Kind::overlong);
    CHECK(f->text == eleven);
    CHECK(f->ending.empty());
}

TEST_CASE("An overlong line split across reads is reported as soon as it passes the limit", "[framer]") {
    CHECK(frame({"ok\nabcdef", "ghijkl", "mn\nnext\n"}, 10) ==
          std::vector<Out>{line("ok"), overlong("abcdefghijkl"), line("mn"), line("next")});
    // Everything fed comes out once and in order, overlong or not: a relay passes it all on.
    const std::string input = "short\n" + std::string(25, 'x') + "\r\nend";
    for (std::size_t i = 0; i <= input.size(); ++i) {
        std::string joined;
        for (const Out& o : frame({input.substr(0, i), input.substr(i)}, 10)) joined += o.text + o.ending;
        CHECK(joined == input);
    }
}

TEST_CASE("A line whole in one read is a view into that read, a joined one is the framer's copy", "[framer]") {
    LineFramer framer(100);
    const std::string read = "one\ntw";
    framer.feed(read);
    auto f = framer.next();
    REQUIRE(f);
    CHECK(f->text.data() == read.data());
    CHECK(points_into(f->text, read));
    CHECK_FALSE(framer.next());
    const std::string more = "o\n";
    framer.feed(more);
    f = framer.next();
    REQUIRE(f);
    CHECK(f->text == "two");
    // Neither read holds "two" whole: the framer joined it in its own buffer.
    CHECK_FALSE(points_into(f->text, read));
    CHECK_FALSE(points_into(f->text, more));
    CHECK_FALSE(framer.next());
    CHECK_FALSE(framer.finish());
}

TEST_CASE("The EOF rule: a flood line tail is not processed, every other tail is", "[framer][eof]") {
    CHECK_FALSE(processed_at_eof("AT Alford +0.1 kiwi +34-118 1520023934.91"));
    CHECK_FALSE(processed_at_eof(" \tAT Alford +0.1 ki"));
    CHECK_FALSE(processed_at_eof("AT"));
    CHECK(processed_at_eof("IAMAT kiwi +34-118 1520023934.91"));
    CHECK(processed_at_eof("WHATSAT kiwi 10 5"));
    CHECK(processed_at_eof("ATX kiwi"));
    CHECK(processed_at_eof("at Alford"));
    CHECK(processed_at_eof(""));
}

TEST_CASE("The harness frames what a client writes as the server does, one framer per connection", "[framer][harness]") {
    using herd::sim::ClientLines;
    using Lines = std::vector<std::string>;
    ClientLines lines(10);
    CHECK(lines.wrote("IAMAT a", false).empty());
    CHECK(lines.wrote(" b\r\nWHAT", false) == Lines{"IAMAT a b"});  // CR before LF is not the line's
    CHECK(lines.wrote("SAT\n\nx", false) == Lines{"WHATSAT", ""});
    CHECK(lines.wrote("", true) == Lines{"x"});  // a command's tail at EOF is taken
    CHECK_FALSE(lines.closed());

    ClientLines flood(64);
    CHECK(flood.wrote("AT A +0 kiwi +1+2 1520023934.91", true).empty());  // a flood line's tail is not

    // Exactly the limit is a line; one byte more (a CR counts) and the server closes.
    ClientLines at_limit(4);
    CHECK(at_limit.wrote("abcd\n", false) == Lines{"abcd"});
    CHECK(at_limit.wrote("abcd\r\nnext\n", false).empty());
    CHECK(at_limit.closed());
    CHECK(at_limit.wrote("more\n", true).empty());  // nothing after it is taken
    ClientLines unended(4);
    CHECK(unended.wrote("abcde", false).empty());  // over the limit before any LF: closed at once
    CHECK(unended.closed());
}
