#include "protocol/peer_mac.hpp"

#include <array>
#include <charconv>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "protocol/command.hpp"

namespace herd {

namespace {

constexpr std::string_view mac_prefix = "mac:";
constexpr std::size_t mac_hex_bytes = 64;
constexpr Nanos nanos_per_ms = 1'000'000;
constexpr char hex_digits[] = "0123456789abcdef";

using Digest = std::array<unsigned char, 32>;

Digest hmac(const std::string& secret, std::string_view message) {
    Digest digest{};
    unsigned int size = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(message.data()),
         message.size(), digest.data(), &size);
    return digest;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// The first whitespace-separated word of `line`.
std::string_view first_word(std::string_view line) {
    std::size_t start = 0;
    while (start < line.size() && is_protocol_space(line[start])) ++start;
    std::size_t end = start;
    while (end < line.size() && !is_protocol_space(line[end])) ++end;
    return line.substr(start, end - start);
}

}  // namespace

bool is_peer_line(std::string_view line) {
    const auto word = first_word(line);
    return word == "AT" || word == catch_up_word;
}

void PeerMac::sign(std::string_view line, Nanos now, std::string& out) const {
    const std::size_t start = out.size();
    out += line;
    out += ' ';
    out += mac_prefix;
    out += std::to_string(now / nanos_per_ms);
    out += ':';
    const Digest digest = hmac(secret_, std::string_view(out).substr(start));
    for (const unsigned char byte : digest) {
        out += hex_digits[byte >> 4];
        out += hex_digits[byte & 15];
    }
}

void PeerMac::sign_lines(std::string_view lines, Nanos now, std::string& out) const {
    while (!lines.empty()) {
        const auto end = lines.find('\n');
        sign(lines.substr(0, end), now, out);
        out += '\n';
        if (end == std::string_view::npos) break;
        lines.remove_prefix(end + 1);
    }
}

PeerMac::Checked PeerMac::check(std::string_view line, Nanos now) const {
    std::size_t end = line.size();
    while (end > 0 && is_protocol_space(line[end - 1])) --end;
    std::size_t start = end;
    while (start > 0 && !is_protocol_space(line[start - 1])) --start;
    const std::string_view field = line.substr(start, end - start);
    if (!field.starts_with(mac_prefix)) return {line, "no MAC field"};
    const std::string_view stamped = field.substr(mac_prefix.size());
    const auto colon = stamped.find(':');
    if (colon == std::string_view::npos || stamped.size() - colon - 1 != mac_hex_bytes) return {line, "a malformed MAC field"};
    std::int64_t ms = 0;
    const auto [stamp_end, error] = std::from_chars(stamped.data(), stamped.data() + colon, ms);
    if (error != std::errc{} || stamp_end != stamped.data() + colon || colon == 0 || ms < 0)
        return {line, "a malformed MAC field"};
    const Digest expected = hmac(secret_, line.substr(0, start + mac_prefix.size() + colon + 1));
    Digest given{};
    const std::string_view hex = stamped.substr(colon + 1);
    for (std::size_t i = 0; i < given.size(); ++i) {
        const int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) return {line, "a malformed MAC field"};
        given[i] = static_cast<unsigned char>(high << 4 | low);
    }
    if (CRYPTO_memcmp(expected.data(), given.data(), given.size()) != 0) return {line, "a MAC that does not match"};
    const std::int64_t window_ms = std::chrono::milliseconds(mac_window).count();
    const std::int64_t now_ms = now / nanos_per_ms;
    if (ms > now_ms + window_ms || ms < now_ms - window_ms) return {line, "a MAC made more than 5 minutes from this server's clock"};
    std::size_t kept = start;
    while (kept > 0 && is_protocol_space(line[kept - 1])) --kept;
    return {line.substr(0, kept), {}};
}

}  // namespace herd
