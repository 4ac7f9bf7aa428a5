#pragma once
// Peer authentication (PROTOCOL.md, "Peer authentication"): with a secret shared by the herd, every
// flood line and catch-up request ends in one more field, "mac:<ms>:<hex>", an HMAC-SHA-256 with
// the secret over every byte of the line before the hex, and <ms> the sender's clock (POSIX
// milliseconds) when it wrote the line. A receiver accepts a line whose MAC is right and whose time
// is within mac_window of its own clock, and acts on it without the field. Pure: the time is an
// argument; OpenSSL computes the HMAC.
#include <chrono>
#include <string>
#include <string_view>

#include "protocol/timestamp.hpp"

namespace herd {

// How far a MAC's time may be from the receiver's clock, either way. A replay inside it re-offers a
// record (dropped unless newer, as any duplicate) or repeats a catch-up request (paced).
constexpr std::chrono::minutes mac_window{5};

// True for the lines that carry a MAC when the herd has a secret: flood lines and catch-up requests
// (their command word, AT or HERDSIM-CATCHUP, whatever follows).
bool is_peer_line(std::string_view line);

class PeerMac {
public:
    explicit PeerMac(std::string secret) : secret_(std::move(secret)) {}

    // `line` (no '\n') with " mac:<ms>:<hex>" appended, made at POSIX time `now`.
    void sign(std::string_view line, Nanos now, std::string& out) const;
    // Signs every '\n'-ended line of `lines` into `out`, each still '\n'-ended.
    void sign_lines(std::string_view lines, Nanos now, std::string& out) const;

    struct Checked {
        std::string_view line;    // without the MAC field: what the node handles
        std::string_view failure; // empty when the MAC is valid; else why not, for the log
    };
    // Checks `line` (no '\n') received at POSIX time `now`.
    Checked check(std::string_view line, Nanos now) const;

private:
    std::string secret_;
};

}  // namespace herd
