// The catch-up walk: every record of a table, once, as flood lines from this server, a batch at a time.
#include <catch2/catch.hpp>

#include <map>
#include <vector>
#include <string>

#include "protocol/catch_up.hpp"

using namespace herd;

namespace {

std::string at_line(int i) { return "AT Ball +0.5 c" + std::to_string(i) + " +1+1 " + std::to_string(1520000000 + i); }
Nanos time_of(int i) { return static_cast<Nanos>(1520000000 + i) * 1000000000; }

// Splits a batch into its lines, counting each.
void count_lines(const std::string& batch, std::map<std::string, int>& seen) {
    std::size_t start = 0;
    while (start < batch.size()) {
        const auto end = batch.find('\n', start);
        REQUIRE(end != std::string::npos);
        ++seen[batch.substr(start, end - start)];
        start = end + 1;
    }
}

}  // namespace

TEST_CASE("A walk sends every record once as '<AT line> <self>', in batches of about max_bytes", "[catch-up]") {
    LocationTable table;
    for (int i = 0; i < 1000; ++i) REQUIRE(table.offer(at_line(i), time_of(i)));
    CatchUpWalk walk;
    CHECK_FALSE(walk.active());
    std::string out;
    CHECK(walk.next_batch(table, "Alford", out, 4096) == 0);  // not begun: nothing
    walk.begin();
    std::map<std::string, int> seen;
    std::vector<std::size_t> sizes;
    std::size_t lines = 0;
    while (walk.active()) {
        out.clear();
        lines += walk.next_batch(table, "Alford", out, 4096);
        count_lines(out, seen);
        sizes.push_back(out.size());
    }
    CHECK(lines == 1000);
    CHECK(seen.size() == 1000);
    for (int i = 0; i < 1000; ++i) CHECK(seen[at_line(i) + " Alford"] == 1);
    // Every batch but the last reaches the mark, and passes it by less than one line.
    REQUIRE(sizes.size() > 1);
    for (std::size_t b = 0; b + 1 < sizes.size(); ++b) {
        CHECK(sizes[b] >= 4096);
        CHECK(sizes[b] < 4096 + 64);
    }
}

TEST_CASE("A table that grows during a walk restarts it, so no record is skipped", "[catch-up]") {
    LocationTable table;
    for (int i = 0; i < 10; ++i) table.offer(at_line(i), time_of(i));
    CatchUpWalk walk;
    walk.begin();
    std::string out;
    std::map<std::string, int> seen;
    walk.next_batch(table, "A", out, 1);  // one record
    count_lines(out, seen);
    for (int i = 10; i < 100; ++i) table.offer(at_line(i), time_of(i));  // grows: slots move
    while (walk.active()) {
        out.clear();
        walk.next_batch(table, "A", out, 256);
        count_lines(out, seen);
    }
    for (int i = 0; i < 100; ++i) CHECK(seen[at_line(i) + " A"] >= 1);
}

TEST_CASE("An empty table's walk ends at once with nothing to send", "[catch-up]") {
    LocationTable table;
    CatchUpWalk walk;
    walk.begin();
    std::string out;
    CHECK(walk.next_batch(table, "A", out, 1024) == 0);
    CHECK(out.empty());
    CHECK_FALSE(walk.active());
}
