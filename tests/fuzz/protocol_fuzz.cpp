// libFuzzer target for the pure core: any bytes, split into lines, through parse_line and a node.
// Checks the invariants PROTOCOL.md states for every input, whatever it is.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/node.hpp"

namespace {
void require(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    herd::Node node("Alford", {"Hamilton", "Welsh"});
    std::string_view input(reinterpret_cast<const char*>(data), size);
    herd::Nanos now = 1520023934918963997;
    while (!input.empty()) {
        const auto nl = input.find('\n');
        std::string_view line = input.substr(0, nl);
        input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

        const herd::Command command = herd::parse_line(line);
        const herd::Effects e = node.handle(command, now++);
        // Every reply is one '\n'-terminated line (a WHATSAT's JSON comes later, from Places).
        if (!e.reply.empty()) require(e.reply.back() == '\n' && e.reply.find('\n') == e.reply.size() - 1);
        if (e.outcome == herd::Effects::Outcome::rejected) require(e.reply == "? " + std::string(line) + "\n");
        // A flood goes only to neighbours, never back to its sender, and carries our name last.
        for (std::size_t peer : e.flood_to) require(peer < node.peers().size());
        if (const auto* at = std::get_if<herd::At>(&command); at && e.outcome == herd::Effects::Outcome::stored)
            for (std::size_t peer : e.flood_to) require(node.peers()[peer] != at->sender);
        if (!e.flood.empty()) require(e.flood.ends_with(" Alford\n"));
        // What was stored parses back as the same six-field AT line.
        if (e.outcome == herd::Effects::Outcome::stored)
            require(std::holds_alternative<herd::At>(herd::parse_line(e.flood.substr(0, e.flood.size() - 1))) ||
                    e.flood.empty());
    }
    return 0;
}
