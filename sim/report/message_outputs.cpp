#include "report/message_outputs.hpp"

#include "report/lamport_svg.hpp"
#include "report/report_files.hpp"
#include "report/timeline_html.hpp"

namespace herd::sim {

std::vector<std::string> write_message_outputs(const Recorder& recorder, const ReportContext& ctx,
                                               const std::filesystem::path& dir) {
    std::vector<std::string> notes;
    if (!ctx.exchanges.empty()) write_file(dir / "timeline.html", timeline_html(ctx));
    if (!ctx.messages) return notes;
    const auto lines = message_lines(*ctx.messages, recorder);
    std::string jsonl;
    for (const auto& line : lines) jsonl += line + '\n';
    write_file(dir / "messages.jsonl", jsonl);
    if (ctx.messages->omitted())
        notes.push_back("messages.jsonl: the first " + std::to_string(lines.size()) + " messages only (--messages-cap); " +
                        std::to_string(ctx.messages->omitted()) + " left out");
    const Diagram diagram = lamport_svg(*ctx.messages, lines, ctx.nodes, ctx.faults, ctx.messages_window);
    if (diagram.svg)
        write_file(dir / "messages.svg", *diagram.svg);
    else
        notes.push_back("messages.svg: not drawn: " + diagram.note);
    return notes;
}

nlohmann::ordered_json messages_summary(const ReportContext& ctx) {
    if (!ctx.messages) return nullptr;
    return {{"listed", ctx.messages->messages().size()},
            {"omitted", ctx.messages->omitted()},
            {"cap", ctx.messages->cap()}};
}

}  // namespace herd::sim
