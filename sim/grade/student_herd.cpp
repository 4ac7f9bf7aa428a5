#include "grade/student_herd.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "grade/course_client.hpp"
#include "target/group_guard.hpp"
#include "target/spawn_process.hpp"
#include "target/stop_continue.hpp"

namespace herd::sim::grade {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto start_gap = 500ms;  // the course's sleep after starting a server
constexpr auto stop_sleep = 300ms;  // and after stopping one
constexpr auto late_limit = 30s;

const std::regex placeholder(R"(\{([a-z_]+)\})");
const std::set<std::string> known = {"name", "port", "config", "places_url", "log_dir"};


// The socket inodes with `port` at either end, from /proc/net/tcp and tcp6 (as lsof -i:PORT).
std::set<std::string> socket_inodes(std::uint16_t port) {
    std::set<std::string> inodes;
    char hex[8];
    std::snprintf(hex, sizeof hex, ":%04X", port);
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // the header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
            auto ends_with_port = [&](const std::string& address) { return address.size() >= 5 && address.ends_with(hex); };
            if ((ends_with_port(local) || ends_with_port(remote)) && inode != "0") inodes.insert(inode);
        }
    }
    return inodes;
}

// The processes of `groups` holding one of `inodes` open.
std::set<pid_t> holders(const std::set<std::string>& inodes, const std::vector<pid_t>& groups) {
    std::set<pid_t> out;
    DIR* proc = ::opendir("/proc");
    if (!proc) return out;
    while (const dirent* entry = ::readdir(proc)) {
        const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
        if (pid <= 0 || std::find(groups.begin(), groups.end(), ::getpgid(pid)) == groups.end()) continue;
        std::error_code ec;
        for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
            const std::string link = fs::read_symlink(fd.path(), ec).string();
            if (link.starts_with("socket:[") && inodes.count(link.substr(8, link.size() - 9))) {
                out.insert(pid);
                break;
            }
        }
    }
    ::closedir(proc);
    return out;
}

// `text` with each placeholder replaced by its value, quoted for the shell when `quote`.
std::string expanded(const std::string& text, const std::map<std::string, std::string>& values, bool quote) {
    std::string out;
    std::size_t from = 0;
    for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it) {
        const std::string& value = values.at((*it)[1].str());
        out += text.substr(from, it->position() - from) + (quote ? shell_quote(value) : value);
        from = it->position() + it->length();
    }
    return out + text.substr(from);
}

bool exited(pid_t pid) {
    int status = 0;
    return ::waitpid(pid, &status, WNOHANG) == pid;
}

std::string elapsed_text(Clock::duration d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f s", std::chrono::duration<double>(d).count());
    return text;
}

}  // namespace

std::string shell_quote(std::string_view text) {
    std::string out = "'";
    for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void check_placeholders(const std::string& command) {
    for (std::sregex_iterator it(command.begin(), command.end(), placeholder), end; it != end; ++it)
        if (!known.count((*it)[1].str()))
            throw std::invalid_argument("unknown placeholder " + (*it)[0].str() +
                                        " (known: {name}, {port}, {config}, {places_url}, {log_dir})");
}

StudentHerd::StudentHerd(StudentHerdSpec spec) : spec_(std::move(spec)) {
    check_placeholders(spec_.command);
    for (const auto& [key, value] : spec_.env) check_placeholders(value);
    spec_.dir = fs::absolute(spec_.dir);
    fs::create_directories(spec_.dir);
    nlohmann::ordered_json links = nlohmann::ordered_json::array();
    for (const auto& [a, b] : spec_.herd.links) links.push_back({a, b});
    // One config for all, or with relayed links one per server: its neighbours at their relays.
    for (const auto& owner : spec_.relay_ports.empty() ? std::vector<ServerAddress>{{}} : spec_.herd.servers) {
        nlohmann::ordered_json servers = nlohmann::ordered_json::object();
        for (const auto& s : spec_.herd.servers) {
            const auto relay = spec_.relay_ports.find({owner.name, s.name});
            servers[s.name] = {{"host", "127.0.0.1"}, {"port", relay == spec_.relay_ports.end() ? s.port : relay->second}};
        }
        const nlohmann::ordered_json config{
            {"servers", servers},
            {"links", links},
            {"places", {{"api", "legacy"}, {"url", spec_.herd.places.base_url}, {"timeout_ms", 5000}}}};
        std::ofstream(config_file(owner.name)) << config.dump(2) << "\n";
    }
}

fs::path StudentHerd::config_file(const std::string& name) const {
    return spec_.dir / (spec_.relay_ports.empty() ? std::string("herd.config.json") : name + ".config.json");
}

StudentHerd::~StudentHerd() { kill_all(); }

std::uint16_t StudentHerd::port(const std::string& name) const {
    const auto* address = spec_.herd.find(name);
    if (!address) throw std::out_of_range("no server \"" + name + "\" in this herd");
    return address->port;
}

bool StudentHerd::start(const std::string& name) {
    const fs::path log_dir = spec_.dir / (name + "-logs");
    fs::create_directories(log_dir);
    const std::map<std::string, std::string> values{{"name", name},
                                                    {"port", std::to_string(port(name))},
                                                    {"config", config_file(name).string()},
                                                    {"places_url", spec_.herd.places.base_url},
                                                    {"log_dir", log_dir.string()}};
    std::vector<std::string> env{"PLACES_URL=" + spec_.herd.places.base_url};
    for (const auto& [key, value] : spec_.env) env.push_back(key + "=" + expanded(value, values, false));
    // exec: the server is the group's leader itself, as `python3 server.py NAME &` makes it.
    const pid_t pid = target::spawn_process(
        {{"/bin/sh", "-c", "exec " + expanded(spec_.command, values, true)},
         target::environment_with(env),
         spec_.cwd,
         spec_.dir / (name + ".stdout"),
         spec_.dir / (name + ".stderr")},
        name);
    pids_[name] = pid;
    groups_.push_back(pid);
    const auto started = Clock::now();
    std::this_thread::sleep_for(start_gap);
    while (!accepts(port(name))) {
        if (exited(pid)) {
            target::release_group(pid);
            pids_.erase(name);
            notes_.push_back(name + ": exited before accepting a connection on port " + std::to_string(port(name)) +
                             " (its stderr: " + (spec_.dir / (name + ".stderr")).string() + ")");
            return false;
        }
        if (Clock::now() - started > spec_.ready_timeout) {
            notes_.push_back(name + ": not accepting connections on port " + std::to_string(port(name)) + " " +
                             elapsed_text(Clock::now() - started) + " after its start");
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    if (Clock::now() - started > start_gap + 50ms)
        notes_.push_back(name + ": accepting only " + elapsed_text(Clock::now() - started) +
                         " after its start (the course waits 0.5 s; the grade waited for it)");
    return true;
}

void StudentHerd::stop(const std::string& name) {
    const auto it = pids_.find(name);
    if (it == pids_.end()) return;
    const pid_t pid = it->second;
    pids_.erase(it);
    ::kill(pid, SIGTERM);
    std::set<std::string> inodes = socket_inodes(port(name));
    for (const auto& [link, relay_port] : spec_.relay_ports)
        if (link.second == name) inodes.merge(socket_inodes(relay_port));
    for (const pid_t holder : holders(inodes, groups_)) ::kill(holder, SIGTERM);
    target::continue_group(pid);  // a paused server runs its SIGTERM handler only once continued
    std::this_thread::sleep_for(stop_sleep);
    const auto stopped = Clock::now();
    while (!exited(pid)) {
        if (Clock::now() - stopped > late_limit) {
            notes_.push_back(name + ": still running 30 s after SIGTERM; killed");
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            break;
        }
        std::this_thread::sleep_for(10ms);
    }
    ::kill(-pid, SIGKILL);  // whatever it started
    target::release_group(pid);
}

void StudentHerd::crash(const std::string& name) {
    const auto it = pids_.find(name);
    if (it == pids_.end()) return;
    const pid_t pid = it->second;
    pids_.erase(it);
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    target::release_group(pid);
}

void StudentHerd::pause(const std::string& name) {
    if (const auto it = pids_.find(name); it != pids_.end()) target::stop_group(it->second);
}

void StudentHerd::resume(const std::string& name) {
    if (const auto it = pids_.find(name); it != pids_.end()) target::continue_group(it->second);
}

void StudentHerd::kill_all() {
    for (const pid_t group : groups_) {
        ::kill(-group, SIGKILL);
        ::waitpid(group, nullptr, WNOHANG);
        target::release_group(group);
    }
    for (const auto& [name, pid] : pids_) ::waitpid(pid, nullptr, 0);
    pids_.clear();
    groups_.clear();
}

}  // namespace herd::sim::grade
