#pragma once
// nlohmann keeps one of two equal keys without a word; in a scenario a duplicate is nearly always
// a mistake (two "send" in one step), so the parse callback tracks the path and reports it.
#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "scenario/wording.hpp"

namespace herd::sim::scenario_reading {

class DuplicateKeys {
public:
    bool on_event(Json::parse_event_t event, const Json& parsed) {
        switch (event) {
        case Json::parse_event_t::object_start: frames_.push_back({true}); break;
        case Json::parse_event_t::array_start: frames_.push_back({false}); break;
        case Json::parse_event_t::key: on_key(parsed.get<std::string>()); break;
        case Json::parse_event_t::value: element_done(); break;
        case Json::parse_event_t::object_end:
        case Json::parse_event_t::array_end:
            frames_.pop_back();
            element_done();
            break;
        }
        return true;
    }
    const std::vector<std::string>& found() const { return found_; }

private:
    struct Frame {
        bool object;
        std::set<std::string> keys{};
        std::string key{};
        std::size_t index = 0;
    };
    void on_key(std::string key) {
        auto& top = frames_.back();
        const bool fresh = top.keys.insert(key).second;
        top.key = std::move(key);
        if (!fresh) found_.push_back(path());
    }
    void element_done() {
        if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    }
    std::string path() const {
        std::string out;
        for (const auto& f : frames_)
            out += f.object ? (out.empty() ? "" : ".") + f.key : "[" + std::to_string(f.index) + "]";
        return out;
    }
    std::vector<Frame> frames_;
    std::vector<std::string> found_;
};

}  // namespace herd::sim::scenario_reading
