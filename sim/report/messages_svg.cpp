// messages.svg at the end of a run: the message log's lines drawn by lamport_svg (lamport.hpp),
// within --messages-window when one was given, and within the diagram's bounds.
#include <map>

#include "report/format.hpp"
#include "report/lamport.hpp"
#include "report/writer.hpp"

namespace herd::sim {

void write_messages_svg(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings) {
    if (!in.messages) return;
    std::map<std::pair<std::string_view, Nanos>, std::size_t> update_ids;
    for (const auto& u : in.recorder.updates()) update_ids[{u.client, u.client_time}] = u.id;
    std::vector<DrawnMessage> drawn;
    const auto& messages = in.messages->messages();
    drawn.reserve(messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto id = update_ids.find({messages[i].client, messages[i].client_time});
        drawn.push_back({messages[i], id == update_ids.end() ? std::nullopt : std::optional<std::size_t>(id->second),
                         i < in.message_lines.size() ? in.message_lines[i] : std::string()});
    }
    DiagramOptions options;
    options.window = in.options.messages_window;
    const Diagram diagram = lamport_svg(drawn, in.run.nodes, in.run.faults, options);
    if (!diagram.svg) {
        warnings.push_back("messages.svg: not drawn: " + diagram.note);
        return;
    }
    write_file(dir / "messages.svg", *diagram.svg);
    if (!diagram.note.empty()) warnings.push_back("messages.svg: " + diagram.note);
}

}  // namespace herd::sim
