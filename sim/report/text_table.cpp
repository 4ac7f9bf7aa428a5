#include "report/text_table.hpp"

#include <algorithm>

#include "report/format.hpp"

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

std::vector<std::vector<std::string>> table_cells(const std::vector<RunRow>& rows) {
    const bool timed = std::any_of(rows.begin(), rows.end(), [](const RunRow& r) { return !r.timing.empty(); });
    std::vector<std::string> header{"scenario", "verdict", "updates", "lost",     "late",  "p50 ms",   "p95 ms",
                                    "p99 ms",   "max ms",  "msgs/upd", "c-up/upd", "held", "stale", "recov ms", "dur s"};
    if (timed) header.push_back("timing");
    // Shown only when some update went with every node that held it, so that it is not read as lost.
    const bool forgot = std::any_of(rows.begin(), rows.end(), [](const RunRow& r) { return r.forgotten > 0; });
    constexpr std::ptrdiff_t forgot_column = 4;  // after "lost"
    if (forgot) header.insert(header.begin() + forgot_column, "forgot");
    std::vector<std::vector<std::string>> cells{header};
    for (const auto& r : rows) {
        const bool any = r.full_coverage.count > 0;
        const auto recovery = r.recovery ? r.recovery->recovery_ms() : std::nullopt;
        cells.push_back({r.scenario, r.verdict, std::to_string(r.updates), std::to_string(r.lost), std::to_string(r.late),
                         any ? ms(r.full_coverage.p50) : "-", any ? ms(r.full_coverage.p95) : "-",
                         any ? ms(r.full_coverage.p99) : "-", any ? ms(r.full_coverage.max) : "-",
                         r.updates ? fixed(r.messages_per_update, 1) : "-",
                         r.updates ? fixed(r.catch_up_per_update, 1) : "-", r.held ? std::to_string(*r.held) : "-",
                         std::to_string(r.stale_reads),
                         !r.recovery ? "-" : recovery ? ms(*recovery) : "never", fixed(r.duration_s, 1)});
        if (timed) cells.back().push_back(r.timing.empty() ? "exact" : r.timing);
        if (forgot) cells.back().insert(cells.back().begin() + forgot_column, std::to_string(r.forgotten));
    }
    return cells;
}

std::string terminal_table(const std::vector<RunRow>& rows) {
    // Text columns (scenario, verdict) to the left, numbers to the right.
    return aligned_table(table_cells(rows), 2);
}

}  // namespace herd::sim
