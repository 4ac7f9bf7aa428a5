#include "load/requests.hpp"

#include <vector>

#include <nlohmann/json.hpp>

#include "load/in_quotes.hpp"

namespace herd::load {

namespace {

// [+-]digits[.digits]: what a course server may print for the difference.
bool decimal(std::string_view text) {
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
    const std::size_t dot = text.find('.');
    const auto digits = [](std::string_view part) {
        return !part.empty() && part.find_first_not_of("0123456789") == std::string_view::npos;
    };
    return digits(text.substr(0, dot)) && (dot == std::string_view::npos || digits(text.substr(dot + 1)));
}

// `line` without its "\n": "AT <server> <difference> <client> <coordinates> <time>", one space apart.
std::optional<std::string> wrong_at_line(std::string_view line, std::optional<std::string_view> server,
                                         std::string_view client, std::optional<Nanos> time) {
    std::vector<std::string_view> field;
    for (std::size_t from = 0;;) {
        const std::size_t space = line.find(' ', from);
        field.push_back(line.substr(from, space - from));
        if (space == std::string_view::npos) break;
        from = space + 1;
    }
    if (field.size() != 6) return "not an AT line of 6 fields";
    if (field[0] != "AT") return "not an AT line";
    if (server && field[1] != *server) return "server " + in_quotes(field[1]) + ", expected " + in_quotes(*server);
    if (!decimal(field[2])) return "difference " + in_quotes(field[2]) + " is not a decimal number";
    if (field[3] != client) return "client " + in_quotes(field[3]) + ", expected " + in_quotes(client);
    if (field[4] != coordinates) return "coordinates " + in_quotes(field[4]) + ", expected " + in_quotes(coordinates);
    if (time && field[5] != format_posix_time(*time))
        return "time " + in_quotes(field[5]) + ", expected " + in_quotes(format_posix_time(*time));
    return std::nullopt;
}

std::string_view first_line(std::string_view reply) { return reply.substr(0, reply.find('\n')); }

}  // namespace

std::string client_name(std::size_t connection, std::size_t client) {
    return "load-" + std::to_string(connection) + "-" + std::to_string(client);
}

void append_iamat(std::string& out, std::string_view client, Nanos time) {
    out.append("IAMAT ").append(client).append(" ").append(coordinates).append(" ");
    out.append(format_posix_time(time)).append("\n");
}

void append_whatsat(std::string& out, std::string_view client) {
    out.append("WHATSAT ").append(client).append(" 10 1\n");
}

std::optional<std::string> wrong_iamat_reply(std::string_view reply, std::string_view server, std::string_view client,
                                             Nanos time) {
    if (reply.find('\n') + 1 != reply.size()) return "not one line";
    return wrong_at_line(first_line(reply), server, client, time);
}

std::optional<std::string> wrong_whatsat_reply(std::string_view reply, std::string_view server, std::string_view client,
                                               std::optional<Nanos> reported) {
    if (!reported) {
        std::string unknown = "? ";
        append_whatsat(unknown, client);
        if (reply == unknown) return std::nullopt;
    }
    const std::string_view line = first_line(reply);
    if (line.rfind("AT ", 0) != 0)
        return reported ? "not an AT line (the client was reported on this connection)" : "neither \"? \" and the request nor an AT line";
    if (auto wrong = wrong_at_line(line, reported ? std::optional(server) : std::nullopt, client, reported))
        return wrong;
    if (reply.size() < line.size() + 3 || reply.substr(reply.size() - 2) != "\n\n") return "no empty line after the JSON";
    const std::string_view body = reply.substr(line.size() + 1, reply.size() - line.size() - 3);
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded() || !json.is_object()) return "the Places part is not a JSON object";
    return std::nullopt;
}

std::optional<std::string> wrong_record(std::string_view reply, std::string_view client, Nanos time) {
    return wrong_at_line(first_line(reply), std::nullopt, client, time);
}

}  // namespace herd::load
