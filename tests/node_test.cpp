// The node state machine: a line and a time in, exact effects out.
#include <catch2/catch.hpp>

#include "protocol/node.hpp"

using namespace herd;

namespace {
const Nanos client_time = 1520023934918963997;
const Nanos receipt = client_time + 263873386;
const std::string iamat = "IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997";
const std::string at_alford = "AT Alford +0.263873386 kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997";

Effects feed(Node& node, const std::string& line, Nanos now = receipt) { return node.handle(parse_line(line), now); }
}  // namespace

TEST_CASE("IAMAT is answered with the AT line and flooded to every neighbour", "[node]") {
    Node alford("Alford", {"Hamilton", "Welsh"});
    auto e = feed(alford, iamat);
    CHECK(e.outcome == Effects::Outcome::stored);
    CHECK(e.reply == at_alford + "\n");
    CHECK(e.flood == at_alford + " Alford\n");
    CHECK(e.flood_to == std::vector<std::size_t>{0, 1});
    CHECK(alford.table().find("kiwi.cs.ucla.edu")->at_line == at_alford);
}

TEST_CASE("The difference may be negative and is exact", "[node]") {
    Node n("Alford", {});
    auto e = feed(n, "IAMAT c +12-118 1520023934.5", 1520023934000000000);
    CHECK(e.reply == "AT Alford -0.500000000 c +12-118 1520023934.5\n");
    e = feed(n, "IAMAT d +12-118 1520023934", 1520023934000000000);
    CHECK(e.reply == "AT Alford +0.000000000 d +12-118 1520023934\n");
}

TEST_CASE("Client fields are copied byte for byte, separators normalised", "[node]") {
    Node n("Ball", {"Welsh"});
    auto e = feed(n, "  IAMAT\tkiwi \t +04.0-018.40  1520023934.100\r", 1520023935100000000);
    CHECK(e.reply == "AT Ball +1.000000000 kiwi +04.0-018.40 1520023934.100\n");
}

TEST_CASE("A report that is not newer is answered but neither stored nor flooded", "[node]") {
    Node n("Alford", {"Hamilton", "Welsh"});
    feed(n, iamat);
    auto same = feed(n, iamat, receipt + 1);
    CHECK(same.outcome == Effects::Outcome::stale);
    CHECK(same.reply == "AT Alford +0.263873387 kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997\n");
    CHECK(same.flood.empty());
    CHECK(same.flood_to.empty());
    auto older = feed(n, "IAMAT kiwi.cs.ucla.edu +10-10 1520023934.918963996");
    CHECK(older.outcome == Effects::Outcome::stale);
    CHECK(n.table().find("kiwi.cs.ucla.edu")->at_line == at_alford);
    auto newer = feed(n, "IAMAT kiwi.cs.ucla.edu +10-10 1520023934.918963998");
    CHECK(newer.outcome == Effects::Outcome::stored);
    CHECK(newer.flood_to.size() == 2);
}

TEST_CASE("A flood line is stored and forwarded to all but its sender, never answered", "[node]") {
    Node hamilton("Hamilton", {"Alford", "Holiday"});
    auto e = feed(hamilton, at_alford + " Alford");
    CHECK(e.outcome == Effects::Outcome::stored);
    CHECK(e.reply.empty());
    CHECK(e.flood == at_alford + " Hamilton\n");
    CHECK(e.flood_to == std::vector<std::size_t>{1});
    CHECK(hamilton.table().find("kiwi.cs.ucla.edu")->at_line == at_alford);

    auto again = feed(hamilton, at_alford + " Holiday");
    CHECK(again.outcome == Effects::Outcome::stale);
    CHECK(again.reply.empty());
    CHECK(again.flood_to.empty());
}

TEST_CASE("A six-field flood line goes to every neighbour", "[node]") {
    Node welsh("Welsh", {"Alford", "Ball"});
    auto e = feed(welsh, at_alford);
    CHECK(e.flood == at_alford + " Welsh\n");
    CHECK(e.flood_to == std::vector<std::size_t>{0, 1});
}

TEST_CASE("A leaf forwards nothing", "[node]") {
    Node leaf("Leaf", {"Alford"});
    auto e = feed(leaf, at_alford + " Alford");
    CHECK(e.outcome == Effects::Outcome::stored);
    CHECK(e.flood.empty());
    CHECK(e.flood_to.empty());
}

TEST_CASE("WHATSAT for a known client asks for Places with the stored record", "[node]") {
    Node hamilton("Hamilton", {"Alford"});
    feed(hamilton, at_alford + " Alford");
    auto e = feed(hamilton, "WHATSAT kiwi.cs.ucla.edu 2.5 5");
    CHECK(e.outcome == Effects::Outcome::query);
    CHECK(e.reply.empty());
    REQUIRE(e.places);
    CHECK(e.places->at_line == at_alford);
    CHECK(e.places->latitude == "34.068930");
    CHECK(e.places->longitude == "-118.445127");
    CHECK(e.places->radius_metres == "2500");
    CHECK(e.places->bound == 5);
}

TEST_CASE("WHATSAT for an unknown client is invalid", "[node]") {
    Node n("Alford", {});
    auto e = feed(n, "WHATSAT nobody 10 5");
    CHECK(e.outcome == Effects::Outcome::rejected);
    CHECK(e.reply == "? WHATSAT nobody 10 5\n");
}

TEST_CASE("Invalid lines are echoed exactly as received", "[node]") {
    Node n("Alford", {"Hamilton"});
    CHECK(feed(n, "IAMAT Clark +12-118").reply == "? IAMAT Clark +12-118\n");
    CHECK(feed(n, "  bogus\tline  ").reply == "?   bogus\tline  \n");
    CHECK(feed(n, "WHATSAT kiwi 51 5").reply == "? WHATSAT kiwi 51 5\n");
    auto blank = feed(n, "   ");
    CHECK(blank.outcome == Effects::Outcome::nothing);
    CHECK(blank.reply.empty());
}

TEST_CASE("forget() drops every record", "[node]") {
    Node n("Alford", {});
    feed(n, iamat);
    n.forget();
    CHECK(n.table().size() == 0);
    CHECK(feed(n, "WHATSAT kiwi.cs.ucla.edu 10 5").outcome == Effects::Outcome::rejected);
}

TEST_CASE("The location table keeps the strictly newest record per client", "[table]") {
    LocationTable t;
    CHECK(t.offer("AT A +0.1 c1 +1+1 10", 10'000000000));
    CHECK_FALSE(t.offer("AT B +0.1 c1 +2+2 10", 10'000000000));
    CHECK_FALSE(t.offer("AT B +0.1 c1 +2+2 9", 9'000000000));
    CHECK(t.offer("AT B +0.1 c1 +3+3 11", 11'000000000));
    CHECK(t.offer("AT B +0.1 c2 +3+3 1", 1'000000000));
    CHECK(t.size() == 2);
    CHECK(t.find("c1")->at_line == "AT B +0.1 c1 +3+3 11");
    CHECK(t.find("c1")->client == "c1");
    CHECK(t.find("c1")->time == 11'000000000);
    CHECK_FALSE(t.find("c3"));
    std::size_t seen = 0;
    t.for_each([&](const Record&) { ++seen; });
    CHECK(seen == 2);
}

TEST_CASE("The location table keeps every client through growth, reuse and longer lines", "[table]") {
    LocationTable t;
    auto line = [](int client, int time, const std::string& padding = "") {
        return "AT N" + padding + " +0.1 c" + std::to_string(client) + " +1+1 " + std::to_string(time);
    };
    for (int i = 0; i < 20000; ++i) CHECK(t.offer(line(i, 10), Nanos(10)));
    CHECK(t.size() == 20000);
    for (int i = 0; i < 20000; i += 2) CHECK(t.offer(line(i, 11), Nanos(11)));                // same length: reused
    for (int i = 1; i < 20000; i += 4) CHECK(t.offer(line(i, 12, std::string(40, 'x')), Nanos(12)));  // longer
    for (int i = 0; i < 20000; i += 3) CHECK_FALSE(t.offer(line(i, 9), Nanos(9)));
    CHECK(t.size() == 20000);
    for (int i = 0; i < 20000; ++i) {
        const auto r = t.find("c" + std::to_string(i));
        REQUIRE(r);
        const std::string expected = i % 2 == 0 ? line(i, 11) : i % 4 == 1 ? line(i, 12, std::string(40, 'x')) : line(i, 10);
        CHECK(r->at_line == expected);
        CHECK(r->client == "c" + std::to_string(i));
    }
    CHECK_FALSE(t.find("c20000"));
    std::size_t visited = 0;
    t.for_each([&](const Record&) { ++visited; });
    CHECK(visited == 20000);
    LocationTable moved = std::move(t);
    CHECK(moved.size() == 20000);
    moved.clear();
    CHECK(moved.size() == 0);
    CHECK_FALSE(moved.find("c1"));
    CHECK(moved.offer(line(1, 1), Nanos(1)));
}

TEST_CASE("HERDSIM-CATCHUP from a neighbour owes it a catch-up, with no reply", "[node][catch-up]") {
    Node alford("Alford", {"Hamilton", "Welsh"});
    auto e = feed(alford, "HERDSIM-CATCHUP Welsh");
    CHECK(e.outcome == Effects::Outcome::catch_up);
    CHECK(e.catch_up_to == std::optional<std::size_t>(1));
    CHECK(e.reply.empty());
    CHECK(e.flood_to.empty());
    CHECK(alford.catch_up_request() == "HERDSIM-CATCHUP Alford\n");
}

TEST_CASE("HERDSIM-CATCHUP from a stranger, or malformed, is invalid like any unknown line", "[node][catch-up]") {
    Node alford("Alford", {"Hamilton", "Welsh"});
    auto e = feed(alford, "HERDSIM-CATCHUP Ball");
    CHECK(e.outcome == Effects::Outcome::rejected);
    CHECK(e.reply == "? HERDSIM-CATCHUP Ball\n");
    CHECK_FALSE(e.catch_up_to);
    CHECK(feed(alford, "HERDSIM-CATCHUP").reply == "? HERDSIM-CATCHUP\n");
    CHECK(feed(alford, "HERDSIM-CATCHUP Welsh extra").reply == "? HERDSIM-CATCHUP Welsh extra\n");
    CHECK(feed(alford, "herdsim-catchup Welsh").reply == "? herdsim-catchup Welsh\n");
}

TEST_CASE("A client time more than a day ahead of the server's clock is refused: no record can be pinned",
          "[node][hostile]") {
    Node n("Alford", {"Hamilton"});
    const Nanos day = 86'400'000'000'000;
    // 2262, as an attacker would pin a client: "? ", nothing stored or flooded.
    auto pinned = feed(n, "IAMAT pinned +1+1 9223372036.854775807", receipt);
    CHECK(pinned.outcome == Effects::Outcome::rejected);
    CHECK(pinned.reply == "? IAMAT pinned +1+1 9223372036.854775807\n");
    CHECK_FALSE(n.table().find("pinned"));
    CHECK(pinned.flood_to.empty());
    // A day ahead is the bound: accepted; a nanosecond more is not.
    auto edge = feed(n, "IAMAT edge +1+1 1520023934.918963997", client_time - day);
    CHECK(edge.outcome == Effects::Outcome::stored);
    auto past = feed(n, "IAMAT past +1+1 1520023934.918963997", client_time - day - 1);
    CHECK(past.outcome == Effects::Outcome::rejected);
    CHECK(past.reply == "? IAMAT past +1+1 1520023934.918963997\n");
    // A flood line from the future is not stored either (a forged one would pin as well).
    auto flood = feed(n, "AT Welsh +0.5 pinned +1+1 9223372036.854775807 Welsh", receipt);
    CHECK(flood.outcome == Effects::Outcome::rejected);
    CHECK_FALSE(n.table().find("pinned"));
    // Later honest reports are stored as usual.
    CHECK(feed(n, iamat).outcome == Effects::Outcome::stored);
}
