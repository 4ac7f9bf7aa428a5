#include "target/target_file.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include "config/json_text.hpp"

namespace herd::sim::target {

namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

constexpr std::uintmax_t max_target_bytes = 1 << 20;
constexpr std::array placeholders{"name", "port", "config", "places_url", "log_dir"};

struct Reader {
    const fs::path& file;

    [[noreturn]] void fail(const std::string& field, const std::string& what) const {
        throw TargetError(file.string() + ": " + (field.empty() ? "" : field + ": ") + what);
    }

    // Every "{word}" (lower case and _) must be a placeholder: a typo would otherwise reach the
    // server as text. Other braces ({"a": 1}) are text.
    std::string text(const json& value, const std::string& field) const {
        if (!value.is_string()) fail(field, "expected a string, got " + value.dump());
        const auto& s = value.get_ref<const std::string&>();
        for (std::size_t open = s.find('{'); open != std::string::npos; open = s.find('{', open + 1)) {
            const std::size_t close = s.find('}', open);
            if (close == std::string::npos) break;
            const std::string word = s.substr(open + 1, close - open - 1);
            const bool looks_like_one = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || c == '_';
            });
            if (looks_like_one && std::none_of(placeholders.begin(), placeholders.end(), [&](const char* p) { return word == p; }))
                fail(field, "unknown placeholder {" + word + "} (there are {name}, {port}, {config}, {places_url}, {log_dir})");
        }
        return s;
    }

    long long integer(const json& value, const std::string& field, long long least, long long most) const {
        if (!value.is_number_integer() || value.get<long long>() < least || value.get<long long>() > most)
            fail(field, "expected an integer from " + std::to_string(least) + " to " + std::to_string(most) + ", got " +
                            value.dump());
        return value.get<long long>();
    }
};

}  // namespace

std::string expand(std::string_view text, const std::map<std::string, std::string, std::less<>>& values) {
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t open = text.find('{', at);
        const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
        const auto value = close == std::string_view::npos ? values.end() : values.find(text.substr(open + 1, close - open - 1));
        if (value == values.end()) {
            const std::size_t upto = open == std::string_view::npos ? text.size() : open + 1;
            out.append(text.substr(at, upto - at));
            at = upto;
            continue;
        }
        out.append(text.substr(at, open - at)).append(value->second);
        at = close + 1;
    }
    return out;
}

TargetSpec parse_target(std::string_view json_text, const fs::path& file) {
    const Reader r{file};
    json doc;
    try {
        doc = parse_json(json_text);
    } catch (const JsonTextError& e) {
        r.fail("", e.what());
    }
    if (!doc.is_object()) r.fail("", "expected a JSON object, got " + std::string(doc.type_name()));
    TargetSpec spec;
    spec.file = file;
    spec.cwd = fs::absolute(file).parent_path();
    bool has_command = false;
    for (const auto& [key, value] : doc.items()) {
        if (key == "command") {
            if (!value.is_array() || value.empty()) r.fail(key, "expected a non-empty array of strings, got " + value.dump());
            for (std::size_t i = 0; i < value.size(); ++i)
                spec.command.push_back(r.text(value[i], "command[" + std::to_string(i) + "]"));
            if (spec.command.front().empty()) r.fail("command[0]", "the program is empty");
            has_command = true;
        } else if (key == "cwd") {
            spec.cwd = (spec.cwd / r.text(value, key)).lexically_normal();
            if (spec.cwd.filename().empty()) spec.cwd = spec.cwd.parent_path();  // "a/.." is "a/": no trailing "/"
        } else if (key == "env") {
            if (!value.is_object()) r.fail(key, "expected an object of strings, got " + value.dump());
            for (const auto& [name, text] : value.items()) {
                if (name.empty() || name.find('=') != std::string::npos) r.fail(key, "bad variable name \"" + name + "\"");
                spec.env.emplace_back(name, r.text(text, key + "." + name));
            }
        } else if (key == "links") {
            if (value == "relayed")
                spec.links = Links::relayed;
            else if (value == "direct")
                spec.links = Links::direct;
            else
                r.fail(key, "expected \"relayed\" or \"direct\", got " + value.dump());
        } else if (key == "client") {
            if (value == "persistent")
                spec.client = ClientStyle::persistent;
            else if (value == "per_command")
                spec.client = ClientStyle::per_command;
            else if (value == "half_close")
                spec.client = ClientStyle::half_close;
            else
                r.fail(key, "expected \"persistent\", \"per_command\" or \"half_close\", got " + value.dump());
        } else if (key == "ready_timeout_ms") {
            spec.ready_timeout = std::chrono::milliseconds(r.integer(value, key, 1, 86400000));
        } else if (key == "poll_interval_ms") {
            spec.poll_interval = std::chrono::milliseconds(r.integer(value, key, 1, 60000));
        } else if (key == "servers") {
            if (!value.is_object()) r.fail(key, "expected an object of {\"port\": N} by server name, got " + value.dump());
            for (const auto& [name, server] : value.items()) {
                const std::string where = key + "." + name;
                if (!server.is_object() || server.size() != 1 || !server.contains("port"))
                    r.fail(where, "expected {\"port\": N}, got " + server.dump());
                spec.ports[name] = static_cast<std::uint16_t>(r.integer(server["port"], where + ".port", 1, 65535));
            }
        } else {
            r.fail(key, "unknown field (there are command, cwd, env, links, client, ready_timeout_ms, poll_interval_ms, servers)");
        }
    }
    if (!has_command) r.fail("command", "missing: the program that starts one server, as an array of strings");
    std::error_code ec;
    if (!fs::is_directory(spec.cwd, ec)) r.fail("cwd", "not a folder: " + spec.cwd.string());
    return spec;
}

TargetSpec load_target(const fs::path& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) throw TargetError(file.string() + ": not a readable regular file");
    if (fs::file_size(file, ec) > max_target_bytes) throw TargetError(file.string() + ": larger than 1 MiB");
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) throw TargetError(file.string() + ": could not be read");
    return parse_target(text.str(), file);
}

}  // namespace herd::sim::target
