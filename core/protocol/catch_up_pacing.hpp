#pragma once
// When a catch-up that a neighbour asked for may begin (PROTOCOL.md, catch-up). Anyone who can
// connect can send "HERDSIM-CATCHUP <a neighbour's name>" (without a peer secret nothing tells who
// sent it), and each honoured request sends the whole table: so requests are paced, per neighbour.
//
// A requested walk begins at most once per interval, and no sooner than the last walk's length
// after that one ended, so requests keep a link busy at most half the time however large the
// table. A request that comes early is not dropped: the caller keeps it owed until earliest(). A
// request while one is owed or a walk is under way changes nothing (the caller's rule: it never
// restarts a walk). Debts of the server's own (lines lost on the link, a queue that overflowed)
// are not paced. Pure: time is an argument.
#include <algorithm>
#include <chrono>
#include <optional>

namespace herd {

class CatchUpPacing {
public:
    using Clock = std::chrono::steady_clock;

    explicit CatchUpPacing(std::chrono::milliseconds interval) : interval_(interval) {}

    // The earliest a requested walk may begin.
    Clock::time_point earliest() const {
        auto at = Clock::time_point::min();
        if (requested_at_) at = *requested_at_ + interval_;
        if (walked_) at = std::max(at, ended_ + (ended_ - began_));
        return at;
    }

    // A walk begins at `now`; `requested`: a neighbour's request, which starts the interval.
    void walk_began(Clock::time_point now, bool requested) {
        if (requested) requested_at_ = now;
        began_ = ended_ = now;
        walking_ = walked_ = true;
    }
    void walk_ended(Clock::time_point now) {
        if (walking_) ended_ = now;
        walking_ = false;
    }

private:
    std::chrono::milliseconds interval_;
    std::optional<Clock::time_point> requested_at_;  // when the last requested walk began
    Clock::time_point began_{}, ended_{};
    bool walked_ = false;
    bool walking_ = false;
};

}  // namespace herd
