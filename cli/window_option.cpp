#include "cli/window_option.hpp"

#include <charconv>
#include <string_view>

namespace herdsim::cli {

CLI::Validator ms_window() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const auto colon = text.find(':');
            double from = 0, to = 0;
            const auto number = [](std::string_view part, double& value) {
                const char* end = part.data() + part.size();
                const auto [stop, ec] = std::from_chars(part.data(), end, value);
                return !part.empty() && ec == std::errc() && stop == end && value >= 0;
            };
            if (colon == std::string::npos || !number(std::string_view(text).substr(0, colon), from) ||
                !number(std::string_view(text).substr(colon + 1), to) || from >= to)
                return "must be FROM_MS:TO_MS, two numbers of milliseconds from 0 up with FROM < TO, not \"" + text + "\"";
            return {};
        },
        "FROM_MS:TO_MS");
}

std::pair<double, double> parse_window(const std::string& text) {
    const auto colon = text.find(':');
    return {std::stod(text.substr(0, colon)), std::stod(text.substr(colon + 1))};
}

}  // namespace herdsim::cli
