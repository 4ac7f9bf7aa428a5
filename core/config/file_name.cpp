#include "config/file_name.hpp"

#include <algorithm>

namespace herd {

namespace {
bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }
}  // namespace

bool safe_file_name(std::string_view name) {
    return !name.empty() && name.find("..") == std::string_view::npos &&
           std::none_of(name.begin(), name.end(),
                        [](char c) { return c == '/' || c == '\\' || is_control(static_cast<unsigned char>(c)); });
}

std::string shown_name(std::string_view name) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : name) {
        if (!is_control(c)) {
            out += static_cast<char>(c);
            continue;
        }
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

}  // namespace herd
