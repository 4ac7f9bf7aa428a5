#include "report/format.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace herd::sim {

namespace {

// Key labels longer than this push a plot's area into a sliver.
constexpr std::size_t max_window_label = 28;

}  // namespace

std::string fixed(double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

std::string ms(double value) { return fixed(value, 3); }

std::string csv(std::string_view field) {
    if (field.find_first_of(",\"") == std::string_view::npos) return std::string(field);
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string xml_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string window_name(std::size_t k, const FaultWindow& f) {
    const std::string full = f.label();
    const std::string label = full.size() > max_window_label ? full.substr(0, max_window_label - 3) + "..." : full;
    return "W" + std::to_string(k + 1) + " " + label;
}

const char* window_colour(std::size_t k) {
    static const char* const palette[] = {"#e41a1c", "#377eb8", "#4daf4a", "#984ea3",
                                          "#ff7f00", "#a65628", "#f781bf", "#666666"};
    return palette[k % (sizeof palette / sizeof *palette)];
}

void write_file(const std::filesystem::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw std::runtime_error(path.string() + ": cannot write the file");
}

}  // namespace herd::sim
