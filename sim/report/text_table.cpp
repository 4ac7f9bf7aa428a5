#include "report/text_table.hpp"

#include <algorithm>

namespace herd::sim {

std::string aligned_table(const std::vector<std::vector<std::string>>& cells, std::size_t text_columns) {
    std::vector<std::size_t> width;
    for (const auto& line : cells) {
        width.resize(std::max(width.size(), line.size()), 0);
        for (std::size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
    }
    std::string out;
    for (const auto& line : cells) {
        std::string text;
        for (std::size_t c = 0; c < line.size(); ++c) {
            const std::string pad(width[c] - line[c].size(), ' ');
            text += c < text_columns ? line[c] + pad : pad + line[c];
            if (c + 1 < line.size()) text += "  ";
        }
        text.erase(text.find_last_not_of(' ') + 1);
        out += text + '\n';
    }
    return out;
}

}  // namespace herd::sim
