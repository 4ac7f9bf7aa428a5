#include "scenario/loader_impl.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/file_name.hpp"

namespace herd::sim {

std::string ScenarioError::to_string() const {
    std::string out = file + ": ";
    if (!field.empty()) out += field + ": ";
    return out + message;
}

namespace scenario_reading {

// ---- the top level -------------------------------------------------------------------------

LoadResult Loader::load(std::string_view text) {
    LoadResult result;
    const auto doc = parse(text);
    Scenario scenario;
    if (doc) read_top(*doc, scenario);
    if (herd_) result.herd_summary = herd_->summary;
    if (errors_.empty()) result.scenario = std::move(scenario);
    result.errors = std::move(errors_);
    return result;
}

void Loader::read_top(const Json& doc, Scenario& scenario) {
    const auto at = open(doc, "", "a JSON object at the top level",
                         {"name", "description", "seed", "herd", "groups", "places", "links", "steps"});
    if (!at) return;
    scenario.file = file_;
    scenario.name = file_.stem().string();
    if (read_short(*at, "name", scenario.name, max_name_bytes, Need::optional, "a string (the scenario's name)") &&
        scenario.name.empty())
        error("name", "expected a non-empty string (leave it out to use the file's name)");
    else if (!safe_file_name(scenario.name))
        error("name", "\"" + shown_name(scenario.name) + "\" is used as a folder name: " + std::string(file_name_rule));
    const std::string_view description = "a string: one sentence on what the scenario shows";
    if (read_string(*at, "description", scenario.description, Need::required, description) && scenario.description.empty())
        error("description", "expected " + std::string(description) + ", got \"\"");
    if (const Json* seed = member(*at, "seed", Need::optional, "")) {
        if (seed->is_number_unsigned()) scenario.seed = seed->get<std::uint64_t>();
        else error("seed", "expected a non-negative integer (the run's random seed), got " + shown(*seed));
    }
    read_herd(doc, scenario.herd, scenario.seed);
    read_groups(doc);
    read_places(doc, scenario.places);
    read_links(doc, scenario);
    read_steps(doc, scenario);
}

void Loader::read_links(const Json& doc, Scenario& scenario) {
    if (!doc.contains("links")) return;
    const auto at = open(doc["links"], "links", "an object with delay_ms, jitter_ms, distribution, policy",
                         {"delay_ms", "jitter_ms", "distribution", "policy"});
    if (!at) return;
    read_millis(*at, "delay_ms", scenario.default_delay);
    read_millis(*at, "jitter_ms", scenario.default_jitter);
    scenario.default_exponential = read_distribution(*at, scenario.default_jitter);
    std::string policy;
    if (read_string(*at, "policy", policy, Need::optional, "\"persistent\" or \"per_burst\"")) {
        if (policy == "persistent" || policy == "per_burst") scenario.per_burst_links = policy == "per_burst";
        else error(at->field("policy"), "expected \"persistent\" or \"per_burst\", got " + in_quotes(policy));
    }
}

// ---- steps ---------------------------------------------------------------------------------

const std::vector<Loader::ActionKind>& Loader::action_kinds() {
    static const std::vector<ActionKind> kinds = {
        {"send", &Loader::read_send},
        {"crash", &Loader::read_crash},
        {"restart", &Loader::read_restart},
        {"pause", &Loader::read_pause},
        {"resume", &Loader::read_resume},
        {"cut", &Loader::read_cut},
        {"heal", &Loader::read_heal},
        {"partition", &Loader::read_partition},
        {"heal_all", &Loader::read_heal_all},
        {"delay", &Loader::read_delay},
        {"drop", &Loader::read_drop},
        {"reset_after", &Loader::read_reset_after},
        {"stall", &Loader::read_stall},
        {"unstall", &Loader::read_unstall},
        {"places", &Loader::read_places_step},
        {"wait_ms", &Loader::read_wait},
        {"wait_quiet", &Loader::read_wait_quiet},
        {"expect_knows", &Loader::read_expect_knows},
        {"expect_unknown", &Loader::read_expect_unknown},
        {"expect_converged", &Loader::read_expect_converged},
        {"expect_latency", &Loader::read_expect_latency},
        {"expect_messages", &Loader::read_expect_messages},
        {"expect_lost", &Loader::read_expect_lost},
        {"expect_recovery", &Loader::read_expect_recovery},
        {"phase", &Loader::read_phase},
        {"workload", &Loader::read_workload},
    };
    return kinds;
}

Keys Loader::step_keys() {
    Keys keys = {"at_ms", "after_ms", "note"};
    for (const auto& kind : action_kinds()) keys.push_back(kind.key);
    return keys;
}

void Loader::read_steps(const Json& doc, Scenario& scenario) {
    const std::string_view expected = "an array of steps";
    const Json* steps = member(At{doc, ""}, "steps", Need::required, expected);
    if (!steps) return;
    if (!steps->is_array() || steps->empty()) {
        error("steps", "expected " + std::string(expected) + " (at least one), got " + shown(*steps));
        return;
    }
    for (std::size_t i = 0; i < steps->size(); ++i)
        if (auto step = read_step((*steps)[i], i)) scenario.steps.push_back(std::move(*step));
}

std::optional<Step> Loader::read_step(const Json& value, std::size_t index) {
    const std::string path = at_step(index);
    if (!is_object(value, path, "an object with one action (send, crash, wait_ms, ...)")) return std::nullopt;
    const At at{value, path};
    Step step;
    step.index = index;
    read_timing(at, step);
    read_string(at, "note", step.note);

    const auto& kinds = action_kinds();
    std::vector<const ActionKind*> actions;
    std::vector<std::string> action_names;
    for (const auto& item : value.items()) {
        const std::string& key = item.key();  // a name, not a structured binding: clang 14 cannot capture those
        const auto kind = std::find_if(kinds.begin(), kinds.end(), [&](const ActionKind& k) { return k.key == key; });
        if (kind != kinds.end()) actions.push_back(&*kind), action_names.push_back(in_quotes(key));
    }
    known_keys(at, step_keys());
    if (actions.empty()) {
        Keys names;
        for (const auto& k : kinds) names.push_back(k.key);
        error(path, "no action; expected one of: " + join(names));
    }
    if (actions.size() > 1) error(path, "more than one action (" + join(action_names) + "): give each its own step");
    if (actions.size() != 1) return std::nullopt;

    auto action = (this->*actions[0]->read)(value[std::string(actions[0]->key)], at.field(actions[0]->key), index);
    if (!action) return std::nullopt;
    step.action = std::move(*action);
    track_faults(step);
    return step;
}

void Loader::read_timing(const At& at, Step& step) {
    if (at.has("at_ms") && at.has("after_ms")) error(at.path, "give at_ms or after_ms, not both");
    read_millis(at, "after_ms", step.after);
    Millis at_ms{0};
    if (!read_millis(at, "at_ms", at_ms)) return;
    step.at = at_ms;
    if (last_at_ && at_ms.count() < last_at_->second) {
        error(at.field("at_ms"), std::to_string(at_ms.count()) + " is before " + at_step(last_at_->first) + ".at_ms (" +
                                     std::to_string(last_at_->second) + "); at_ms counts from the start and never goes back");
        return;
    }
    last_at_ = {step.index, at_ms.count()};
}

namespace {

std::optional<std::string> read_text_file(const fs::path& file, std::vector<ScenarioError>& errors) {
    std::error_code ec;
    // Reading /dev/zero or a FIFO would never end, or never start.
    if (fs::exists(file, ec) && !fs::is_regular_file(file, ec)) {
        errors.push_back({file.string(), std::nullopt, "", "not a regular file"});
        return std::nullopt;
    }
    const auto size = fs::file_size(file, ec);
    if (!ec && size > max_file_bytes) {
        errors.push_back({file.string(), std::nullopt, "", "larger than " + std::to_string(max_file_bytes) + " bytes"});
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || ec) {
        errors.push_back({file.string(), std::nullopt, "", "cannot read the file"});
        return std::nullopt;
    }
    return text.str();
}

}  // namespace

}  // namespace scenario_reading

LoadResult load_scenario(const std::filesystem::path& file) {
    LoadResult result;
    const auto text = scenario_reading::read_text_file(file, result.errors);
    if (!text) return result;
    // The loader reports bad input as errors and never throws for it (the fuzzer holds it to that);
    // this keeps even a loader bug or an exhausted memory to this one file, so a folder's other
    // files are still checked.
    try {
        return parse_scenario(*text, file);
    } catch (const std::exception& e) {
        result.errors.push_back({file.string(), std::nullopt, "", std::string("cannot be loaded: ") + e.what()});
        return result;
    }
}

LoadResult parse_scenario(std::string_view json_text, const std::filesystem::path& file_for_messages) {
    return scenario_reading::Loader(file_for_messages).load(json_text);
}

}  // namespace herd::sim
