#pragma once
// Names that end up as file or folder names (a server's log, a scenario's results): one rule, so
// that no name from a file can write outside the folder it is given.
#include <string>
#include <string_view>

namespace herd {

// What a name used as a file name must not contain, for error messages.
constexpr std::string_view file_name_rule = "it must not contain '/', '\\', '..' or control characters";

// True when `name` is non-empty and has no '/', '\', "..", nor control character (below 0x20, or 0x7f).
bool safe_file_name(std::string_view name);

// `name` with its control characters shown as \xNN, for an error message that stays one line.
std::string shown_name(std::string_view name);

}  // namespace herd
