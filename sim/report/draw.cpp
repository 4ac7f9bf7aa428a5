#include "report/draw.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/lamport.hpp"
#include "report/plots/gnuplot.hpp"

namespace herd::sim {

namespace fs = std::filesystem;

namespace {

nlohmann::json read_json(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path.string() + ": cannot read it (is this a run folder?)");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path.string() + ": not JSON: " + e.what());
    }
}

std::optional<double> number(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? std::optional<double>(it->get<double>()) : std::nullopt;
}

// summary.json's fault list back into windows: the label is "<kind> <subject>".
std::vector<FaultWindow> faults_of(const nlohmann::json& summary) {
    static const std::pair<const char*, FaultWindow::Kind> kinds[] = {
        {"crash", FaultWindow::Kind::crash}, {"pause", FaultWindow::Kind::pause}, {"cut", FaultWindow::Kind::cut},
        {"partition", FaultWindow::Kind::partition},
        {"delay", FaultWindow::Kind::delay}, {"drop", FaultWindow::Kind::drop}, {"stall", FaultWindow::Kind::stall}};
    std::vector<FaultWindow> out;
    for (const auto& f : summary.value("faults", nlohmann::json::array())) {
        const std::string label = f.value("label", "");
        const auto space = label.find(' ');
        FaultWindow w;
        w.start_ms = number(f, "start_ms").value_or(0);
        w.end_ms = number(f, "end_ms");
        w.step = f.value("step", std::size_t{0});
        w.subject = space == std::string::npos ? label : label.substr(space + 1);
        for (const auto& [name, kind] : kinds)
            if (label.substr(0, space) == name) w.kind = kind;
        out.push_back(std::move(w));
    }
    return out;
}

std::vector<DrawnMessage> messages_of(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path.string() + ": cannot read it (a run with no flood message log)");
    std::vector<DrawnMessage> out;
    std::size_t number_of_line = 0;
    for (std::string line; std::getline(in, line);) {
        ++number_of_line;
        if (line.empty()) continue;
        try {
            const nlohmann::json j = nlohmann::json::parse(line);
            DrawnMessage d;
            d.message.from = j.at("from").get<std::string>();
            d.message.to = j.at("to").get<std::string>();
            d.message.client = j.at("client").get<std::string>();
            d.message.client_time_text = j.at("client_time").get<std::string>();
            d.message.sent_ms = number(j, "sent_ms");
            d.message.received_ms = number(j, "received_ms");
            const std::string outcome = j.at("outcome").get<std::string>();
            d.message.outcome = outcome == "stored" ? FloodMessage::Outcome::stored
                                : outcome == "stale" ? FloodMessage::Outcome::stale
                                                     : FloodMessage::Outcome::dropped;
            if (j.at("update").is_number()) d.update = j.at("update").get<std::size_t>();
            d.line = line;
            out.push_back(std::move(d));
        } catch (const nlohmann::json::exception& e) {
            throw std::runtime_error(path.string() + ":" + std::to_string(number_of_line) + ": " + e.what());
        }
    }
    return out;
}

}  // namespace

Drawn draw_run(const fs::path& run_dir, const DrawOptions& options) {
    Drawn drawn;
    const nlohmann::json summary = read_json(run_dir / "summary.json");
    const auto nodes = summary.at("herd").value("servers", std::vector<std::string>{});
    if (fs::exists(run_dir / "messages.jsonl")) {
        DiagramOptions diagram_options;
        diagram_options.window = options.window;
        diagram_options.nodes = options.nodes;
        const Diagram diagram = lamport_svg(messages_of(run_dir / "messages.jsonl"), nodes, faults_of(summary), diagram_options);
        if (diagram.svg) {
            write_file(run_dir / "messages.svg", *diagram.svg);
            drawn.written.push_back("messages.svg");
            if (!diagram.note.empty()) drawn.warnings.push_back("messages.svg: " + diagram.note);
        } else {
            drawn.warnings.push_back("messages.svg: not drawn: " + diagram.note);
        }
    } else {
        drawn.warnings.push_back("messages.svg: not drawn: the run left no messages.jsonl");
    }
    if (options.gnuplot.empty()) return drawn;
    std::vector<std::string> stems;
    for (const auto& entry : fs::directory_iterator(run_dir))
        if (entry.path().extension() == ".gp") stems.push_back(entry.path().stem().string());
    std::sort(stems.begin(), stems.end());
    for (const auto& stem : stems) {
        const std::size_t before = drawn.warnings.size();
        plots::draw(options.gnuplot, run_dir, stem, drawn.warnings);
        if (drawn.warnings.size() == before) drawn.written.push_back(stem + ".png");
    }
    return drawn;
}

}  // namespace herd::sim
