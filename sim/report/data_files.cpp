// The run's data as files to load elsewhere: updates.csv, links.csv, events.jsonl and messages.jsonl.
#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/writer.hpp"

namespace herd::sim {

void write_updates_csv(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>&) {
    const Recorder& recorder = in.recorder;
    std::string out = "update_id,client,client_time,origin,node,born_ms,stored_ms,latency_ms,duplicates,messages_for_update\n";
    for (const auto& u : recorder.updates()) {
        const double born = recorder.ms_since_start(u.born);
        for (const auto& node : in.nodes) {
            const auto index = recorder.node_index(node);
            const Recorder::Delivery none;
            const auto& d = index && *index < u.deliveries.size() ? u.deliveries[*index] : none;
            out += std::to_string(u.id) + ',' + csv(u.client) + ',' + u.client_time_text + ',' + csv(u.origin) + ',' +
                   csv(node) + ',' + ms(born) + ',';
            if (d.first_stored)
                out += ms(recorder.ms_since_start(*d.first_stored)) + ',' +
                       ms(recorder.ms_since_start(*d.first_stored) - born);
            else
                out += ',';
            out += ',' + std::to_string(d.duplicates) + ',' + std::to_string(u.messages) + '\n';
        }
    }
    write_file(dir / "updates.csv", out);
}

void write_links_csv(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>&) {
    std::string out = "from,to,messages\n";
    for (const auto& [link, count] : in.run.summary.link_messages)
        out += csv(link.first) + ',' + csv(link.second) + ',' + std::to_string(count) + '\n';
    write_file(dir / "links.csv", out);
}

void write_events_jsonl(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>&) {
    std::string out;
    for (const auto& e : in.recorder.events())
        out += nlohmann::ordered_json{{"t_ms", e.t_ms}, {"kind", e.kind}, {"detail", e.detail}, {"nodes", e.nodes}}.dump() +
               '\n';
    write_file(dir / "events.jsonl", out);
}

void write_messages_jsonl(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings) {
    if (!in.messages) return;
    std::string jsonl;
    for (const auto& line : in.message_lines) jsonl += line + '\n';
    write_file(dir / "messages.jsonl", jsonl);
    if (in.messages->omitted())
        warnings.push_back("messages.jsonl: the first " + std::to_string(in.message_lines.size()) +
                           " messages only (--messages-cap); " + std::to_string(in.messages->omitted()) + " left out");
}

}  // namespace herd::sim
