#include "load/options.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "load/in_quotes.hpp"
#include "load/proc_cpu.hpp"

namespace herd::load {

std::string_view client_style_name(ClientStyle style) {
    switch (style) {
        case ClientStyle::per_command: return "per_command";
        case ClientStyle::half_close: return "half_close";
        case ClientStyle::persistent: break;
    }
    return "persistent";
}

namespace {

std::vector<std::string_view> split(std::string_view text, char by) {
    std::vector<std::string_view> parts;
    for (;;) {
        const std::size_t at = text.find(by);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return parts;
        text.remove_prefix(at + 1);
    }
}

template <class Number>
std::optional<Number> number(std::string_view text) {
    Number value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

bool has_space(std::string_view text) { return text.find_first_of(" \t\r\n\f\v") != std::string_view::npos; }

}  // namespace

std::variant<std::vector<Target>, std::string> parse_servers(std::string_view text) {
    std::vector<Target> servers;
    std::set<std::string, std::less<>> names;
    for (const std::string_view part : split(text, ',')) {
        const std::size_t equals = part.find('=');
        const std::size_t colon = part.rfind(':');
        if (equals == std::string_view::npos || colon == std::string_view::npos || colon < equals)
            return in_quotes(part) + " is not Name=host:port";
        Target target{std::string(part.substr(0, equals)), std::string(part.substr(equals + 1, colon - equals - 1)), 0};
        if (target.name.empty() || has_space(target.name)) return in_quotes(part) + ": a name is one word, not empty";
        if (target.host.empty() || has_space(target.host)) return in_quotes(part) + ": the host is missing";
        const auto port = number<unsigned>(part.substr(colon + 1));
        if (!port || *port < 1 || *port > 65535) return in_quotes(part) + ": the port must be a number from 1 to 65535";
        target.port = static_cast<std::uint16_t>(*port);
        if (!names.insert(target.name).second) return "the name " + in_quotes(target.name) + " is given twice";
        servers.push_back(std::move(target));
    }
    return servers;
}

std::variant<std::uint32_t, std::string> parse_mix(std::string_view text) {
    std::map<std::string_view, double> weights;
    for (const std::string_view part : split(text, ',')) {
        const std::size_t colon = part.find(':');
        const std::string_view kind = part.substr(0, colon);
        const auto weight = colon == std::string_view::npos ? std::nullopt : number<double>(part.substr(colon + 1));
        if (kind != "iamat" && kind != "whatsat") return in_quotes(part) + ": expected iamat:WEIGHT or whatsat:WEIGHT";
        if (!weight || !std::isfinite(*weight) || *weight < 0)
            return in_quotes(part) + ": the weight must be a number, 0 or more";
        if (!weights.emplace(kind, *weight).second) return std::string(kind) + " is given twice";
    }
    const double whatsat = weights["whatsat"], all = weights["iamat"] + whatsat;
    if (all <= 0) return "the weights are all 0";
    return static_cast<std::uint32_t>(std::lround(whatsat / all * 1e6));
}

std::variant<std::vector<int>, std::string> parse_pids(std::string_view text) {
    std::vector<int> pids;
    for (const std::string_view part : split(text, ',')) {
        const auto pid = number<int>(part);
        if (!pid || *pid < 1) return in_quotes(part) + " is not a process ID";
        if (!process_cpu_seconds(*pid)) return "no process " + std::to_string(*pid) + " (cannot read /proc/" +
                                                std::to_string(*pid) + "/stat)";
        pids.push_back(*pid);
    }
    return pids;
}

}  // namespace herd::load
