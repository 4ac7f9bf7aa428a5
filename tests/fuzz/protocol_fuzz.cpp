// libFuzzer target for the pure core: any bytes, framed by the LineFramer in any split, through
// parse_line and a node as a session drives them. Checks the invariants PROTOCOL.md states for
// every input, whatever it is.
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/catch_up.hpp"
#include "protocol/eof_tail.hpp"
#include "protocol/line_framer.hpp"
#include "protocol/node.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

struct Out {
    herd::Frame::Kind kind;
    std::string text;
    std::string ending;
};

// Frames `input` in pieces whose sizes come from `seed` (0: in one feed), then EOF. Checks what
// holds of every frame on the way.
std::vector<Out> frame(std::string_view input, std::size_t max_line, unsigned seed) {
    using Kind = herd::Frame::Kind;
    herd::LineFramer framer(max_line);
    std::minstd_rand split(seed);
    std::vector<Out> out;
    auto keep = [&](const herd::Frame& f) {
        // The bytes a limit counts: every one before the '\n', a CR too.
        const std::size_t counted = f.text.size() + (f.ending == "\r\n" ? 1 : 0);
        require(f.text.find('\n') == std::string_view::npos);
        if (f.kind == Kind::line) {
            require(f.ending == "\n" || f.ending == "\r\n");
            require(counted <= max_line);
            if (f.ending == "\n") require(!f.text.ends_with('\r'));
        } else if (f.kind == Kind::tail_at_eof) {
            require(f.ending.empty() || f.ending == "\r");
            require(!f.text.empty() || !f.ending.empty());
            require(f.text.size() + f.ending.size() <= max_line);
        } else {
            require(f.ending.empty() || f.ending == "\n" || f.ending == "\r\n");
            require(counted > max_line);
        }
        out.push_back({f.kind, std::string(f.text), std::string(f.ending)});
    };
    while (!input.empty()) {
        const std::size_t n = seed == 0 ? input.size() : std::min<std::size_t>(input.size(), 1 + split() % 32);
        const std::string read(input.substr(0, n));  // each read in its own buffer, as a socket's are
        input.remove_prefix(n);
        framer.feed(read);
        while (const auto f = framer.next()) keep(*f);
    }
    if (const auto f = framer.finish()) keep(*f);
    require(!framer.finish());
    return out;
}

// Every byte comes out once, in order.
std::string joined(const std::vector<Out>& frames) {
    std::string all;
    for (const Out& f : frames) all += f.text + f.ending;
    return all;
}

// What a server does up to the first overlong line, which ends the connection.
void serve(const std::vector<Out>& frames) {
    herd::Node node("Alford", {"Hamilton", "Welsh"});
    herd::Nanos now = 1520023934918963997;
    for (const Out& f : frames) {
        if (f.kind == herd::Frame::Kind::overlong) return;
        const herd::Command command = herd::parse_line(f.text);
        if (f.kind == herd::Frame::Kind::tail_at_eof && !herd::processed_at_eof(f.text)) {
            require(!std::holds_alternative<herd::IAmAt>(command) && !std::holds_alternative<herd::WhatsAt>(command));
            return;  // dropped: a flood line cut short is never stored
        }
        // Every well-formed flood line is caught by the EOF rule.
        if (std::holds_alternative<herd::At>(command)) require(!herd::processed_at_eof(f.text));

        const herd::Effects e = node.handle(command, now++);
        // Every reply is one '\n'-terminated line (a WHATSAT's JSON comes later, from Places).
        if (!e.reply.empty()) require(e.reply.back() == '\n' && e.reply.find('\n') == e.reply.size() - 1);
        if (e.outcome == herd::Effects::Outcome::rejected) require(e.reply == "? " + f.text + "\n");
        // A flood goes only to neighbours, never back to its sender, and carries our name last.
        for (std::size_t peer : e.flood_to) require(peer < node.peers().size());
        if (const auto* at = std::get_if<herd::At>(&command); at && e.outcome == herd::Effects::Outcome::stored)
            for (std::size_t peer : e.flood_to) require(node.peers()[peer] != at->sender);
        if (!e.flood.empty()) require(e.flood.ends_with(" Alford\n"));
        // A catch-up is owed only to a neighbour, and never answered.
        if (e.catch_up_to) require(*e.catch_up_to < node.peers().size() && e.reply.empty());
        // What was stored parses back as the same six-field AT line.
        if (e.outcome == herd::Effects::Outcome::stored)
            require(std::holds_alternative<herd::At>(herd::parse_line(e.flood.substr(0, e.flood.size() - 1))) ||
                    e.flood.empty());
    }
    // A catch-up walk sends every record once, each a flood line that parses back as from Alford.
    herd::CatchUpWalk walk;
    walk.begin();
    std::size_t lines = 0;
    while (walk.active()) {
        std::string batch;
        lines += walk.next_batch(node.table(), "Alford", batch, 512);
        for (std::size_t start = 0, end; (end = batch.find('\n', start)) != std::string::npos; start = end + 1) {
            const auto parsed = herd::parse_line(std::string_view(batch).substr(start, end - start));
            const auto* at = std::get_if<herd::At>(&parsed);
            require(at && at->sender == "Alford");
        }
    }
    require(lines == node.table().size());
}

}  // namespace

// The first byte picks the line limit, the second how the rest is split into reads.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t max_line = 1 + data[0];
    const unsigned seed = data[1];
    const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

    const std::vector<Out> whole = frame(input, max_line, 0);
    const std::vector<Out> split = frame(input, max_line, seed + 1);
    require(joined(whole) == input && joined(split) == input);
    // The split changes nothing up to the first overlong line; that one starts with the same bytes
    // (where the limit was passed depends on the reads), so its "? " reply is the same.
    for (std::size_t i = 0; i < whole.size(); ++i) {
        require(i < split.size() && whole[i].kind == split[i].kind);
        if (whole[i].kind == herd::Frame::Kind::overlong) {
            const std::size_t common = std::min(whole[i].text.size(), split[i].text.size());
            require(whole[i].text.compare(0, common, split[i].text, 0, common) == 0);
            break;
        }
        require(whole[i].text == split[i].text && whole[i].ending == split[i].ending);
        if (i + 1 == whole.size()) require(split.size() == whole.size());
    }
    serve(whole);
    return 0;
}
