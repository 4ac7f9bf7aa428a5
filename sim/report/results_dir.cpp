#include "report/results_dir.hpp"

#include <algorithm>
#include <fstream>
#include <regex>

#include "report/writer.hpp"

namespace herd::sim {

namespace fs = std::filesystem;

namespace {

fs::path parent_of(const fs::path& run_dir) { return run_dir.has_parent_path() ? run_dir.parent_path() : fs::path("."); }

}  // namespace

void point_at_run(const fs::path& run_dir, const std::string& name, std::vector<std::string>& warnings) {
    const fs::path parent = parent_of(run_dir);
    const fs::path tmp = parent / ("." + name + ".tmp." + run_dir.filename().string());
    try {
        fs::remove(tmp);
        fs::create_directory_symlink(run_dir.filename(), tmp);
        fs::rename(tmp, parent / name);
    } catch (const fs::filesystem_error& e) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        warnings.push_back("could not point " + (parent / name).string() + " at the run: " + e.what());
    }
}

void unpoint(const fs::path& run_dir, const std::string& name) {
    const fs::path link = parent_of(run_dir) / name;
    std::error_code ec;
    if (fs::is_symlink(link, ec) && fs::read_symlink(link, ec) == run_dir.filename()) fs::remove(link, ec);
}

bool is_run_id(const std::string& name) {
    static const std::regex pattern(R"([0-9]{8}T[0-9]{6}\.[0-9]{3}Z-seed[0-9]+)");
    return std::regex_match(name, pattern);
}

std::vector<std::string> prune_runs(const fs::path& run_dir, std::size_t keep, std::vector<std::string>& warnings) {
    const fs::path parent = parent_of(run_dir);
    std::error_code ec;
    const fs::path in_progress = fs::is_symlink(parent / "current", ec) ? fs::read_symlink(parent / "current", ec) : fs::path();
    std::vector<std::string> runs;
    for (const auto& entry : fs::directory_iterator(parent, ec)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_symlink() && entry.is_directory() && is_run_id(name)) runs.push_back(name);
    }
    std::sort(runs.begin(), runs.end());
    std::vector<std::string> deleted;
    std::size_t left = runs.size();
    for (const auto& name : runs) {
        if (left <= keep) break;
        if (name == run_dir.filename() || name == in_progress) continue;
        fs::remove_all(parent / name, ec);
        if (ec) {
            warnings.push_back("--keep: could not delete " + (parent / name).string() + ": " + ec.message());
            continue;
        }
        deleted.push_back(name);
        --left;
    }
    return deleted;
}

std::vector<std::string> cap_logs(const fs::path& dir, std::uintmax_t cap) {
    std::vector<std::string> notes;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".log") continue;
        const std::uintmax_t size = entry.file_size(ec);
        if (ec || size <= cap) continue;
        std::string head(static_cast<std::size_t>(cap), '\0');
        {
            std::ifstream in(entry.path(), std::ios::binary);
            in.read(head.data(), static_cast<std::streamsize>(cap));
        }
        // A whole line last, so the cut reads as a line of its own.
        const auto last_newline = head.rfind('\n');
        head.resize(last_newline == std::string::npos ? 0 : last_newline + 1);
        const std::uintmax_t cut = size - head.size();
        std::ofstream out(entry.path(), std::ios::binary | std::ios::trunc);
        out << head << "[herdsim: log cut at " << cap << " bytes (--log-cap); " << cut << " bytes left out]\n";
        notes.push_back(entry.path().filename().string() + ": cut at " + std::to_string(cap) + " bytes, " +
                        std::to_string(cut) + " left out");
    }
    std::sort(notes.begin(), notes.end());
    return notes;
}

void point_latest(const ReportInput& in, const fs::path& dir, std::vector<std::string>& warnings) {
    // `latest` is the newest run that ended: one stopped halfway must not stand for the scenario.
    if (in.run.interrupted) return;
    point_at_run(dir, "latest", warnings);
}

}  // namespace herd::sim
