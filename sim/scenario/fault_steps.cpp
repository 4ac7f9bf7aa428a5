#include "scenario/loader_impl.hpp"

namespace herd::sim::scenario_reading {

std::optional<StepAction> Loader::read_crash(const Json& v, const std::string& path, std::size_t step) {
    auto name = string_value(v, path, "a node name");
    if (!name || !check_node(*name, path)) return std::nullopt;
    if (auto down = down_.find(*name); down != down_.end())
        error(path, *name + " is already down (crashed at " + at_step(down->second) + ")");
    if (auto paused = paused_.find(*name); paused != paused_.end())
        error(path, *name + " is paused (at " + at_step(paused->second) + "); resume it before it crashes");
    down_[*name] = step;
    return CrashStep{*name};
}

std::optional<StepAction> Loader::read_restart(const Json& v, const std::string& path, std::size_t) {
    auto name = string_value(v, path, "a node name");
    if (!name || !check_node(*name, path)) return std::nullopt;
    if (!down_.erase(*name)) error(path, *name + " is not down (a restart follows a crash of the same node)");
    return RestartStep{*name};
}

std::optional<StepAction> Loader::read_pause(const Json& v, const std::string& path, std::size_t step) {
    auto name = string_value(v, path, "a node name");
    if (!name || !check_node(*name, path)) return std::nullopt;
    if (auto paused = paused_.find(*name); paused != paused_.end())
        error(path, *name + " is already paused (at " + at_step(paused->second) + ")");
    if (auto down = down_.find(*name); down != down_.end())
        error(path, *name + " is down (crashed at " + at_step(down->second) + "); only a running node can be paused");
    paused_[*name] = step;
    return PauseStep{*name, true};
}

std::optional<StepAction> Loader::read_resume(const Json& v, const std::string& path, std::size_t) {
    auto name = string_value(v, path, "a node name");
    if (!name || !check_node(*name, path)) return std::nullopt;
    if (!paused_.erase(*name)) error(path, *name + " is not paused (a resume follows a pause of the same node)");
    return PauseStep{*name, false};
}

// Opens a link fault's object (from, to, one_way plus its own keys) and reads the link.
std::optional<FaultLink> Loader::read_fault_link(const Json& v, const std::string& path, std::string_view what,
                                                 const Keys& extra_keys) {
    Keys keys = {"from", "to", "one_way"};
    keys.insert(keys.end(), extra_keys.begin(), extra_keys.end());
    auto at = open(v, path, what, keys);
    if (!at) return std::nullopt;
    return FaultLink{*at, read_link(*at)};
}

std::optional<StepAction> Loader::read_cut(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, kLinkObject, {});
    if (!fault || !fault->link) return std::nullopt;
    return CutStep{*fault->link};
}

std::optional<StepAction> Loader::read_heal(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, kLinkObject, {});
    if (!fault || !fault->link) return std::nullopt;
    return HealStep{*fault->link};
}

std::optional<StepAction> Loader::read_stall(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, kLinkObject, {});
    if (!fault || !fault->link) return std::nullopt;
    return StallStep{*fault->link, true};
}

std::optional<StepAction> Loader::read_unstall(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, kLinkObject, {});
    if (!fault || !fault->link) return std::nullopt;
    return StallStep{*fault->link, false};
}

std::optional<StepAction> Loader::read_delay(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, "an object with delay_ms (and from, to, jitter_ms, distribution)",
                                 {"delay_ms", "jitter_ms", "distribution"});
    if (!fault) return std::nullopt;
    DelayStep delay;
    read_millis(fault->at, "delay_ms", delay.delay, kMillisRule, Need::required);
    read_millis(fault->at, "jitter_ms", delay.jitter);
    delay.exponential = read_distribution(fault->at, delay.jitter);
    if (!fault->link) return std::nullopt;
    delay.link = *fault->link;
    return delay;
}

std::optional<StepAction> Loader::read_drop(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, "an object (from, to, command, client, first)", {"command", "client", "first"});
    if (!fault) return std::nullopt;
    DropStep drop;
    read_word(fault->at, "command", drop.command, Need::optional, "a command word without whitespace (\"AT\")");
    read_word(fault->at, "client", drop.client, Need::optional, "a client ID without whitespace");
    read_int(fault->at, "first", drop.first, IntRule{0, kCountRule.hi, "a non-negative integer (leave it out to drop every match)"});
    if (!fault->link) return std::nullopt;
    drop.link = *fault->link;
    return drop;
}

std::optional<StepAction> Loader::read_reset_after(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, "an object with bytes (and from, to)", {"bytes"});
    if (!fault) return std::nullopt;
    ResetAfterStep reset;
    read_int(fault->at, "bytes", reset.bytes,
             IntRule{0, std::numeric_limits<std::int64_t>::max(), "a non-negative integer (bytes)"}, Need::required);
    if (!fault->link) return std::nullopt;
    reset.link = *fault->link;
    return reset;
}

std::optional<StepAction> Loader::read_partition(const Json& v, const std::string& path, std::size_t) {
    if (!v.is_array() || v.size() < 2) {
        error(path, "expected an array of at least two groups of node names (or group names), got " + shown(v));
        return std::nullopt;
    }
    PartitionStep partition;
    std::map<std::string, std::size_t> group_of;
    for (std::size_t g = 0; g < v.size(); ++g) {
        const std::string group_path = path + "[" + std::to_string(g) + "]";
        auto names = read_node_list(v[g], group_path);
        if (!names) continue;
        for (const auto& name : *names)
            if (auto [it, fresh] = group_of.emplace(name, g); !fresh)
                error(group_path, name + " is already in " + path + "[" + std::to_string(it->second) + "]");
        partition.groups.push_back(std::move(*names));
    }
    return partition;
}

std::optional<StepAction> Loader::read_heal_all(const Json& v, const std::string& path, std::size_t) {
    if (!read_true(v, path)) return std::nullopt;
    return HealAllStep{};
}

// Which steps begin a fault window and whether one has ended yet, as each step kind declares it
// (fault_windows), for expect_recovery's checks.
void Loader::track_faults(const Step& step) {
    const FaultWindows windows = fault_windows(step.action);
    if (windows.opens) fault_starts_.insert(step.index);
    if (windows.ends) fault_ended_ = true;
}

}  // namespace herd::sim::scenario_reading
