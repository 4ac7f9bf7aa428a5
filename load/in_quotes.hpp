#pragma once

#include <string>
#include <string_view>

namespace herd::load {

// How load's messages show a value the user gave: "Alford".
inline std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace herd::load
