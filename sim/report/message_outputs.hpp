#pragma once
// The run's files about single messages: messages.jsonl and messages.svg (from ctx.messages) and
// timeline.html (from ctx.exchanges).
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "record/recorder.hpp"
#include "report/report.hpp"

namespace herd::sim {

// Returns the notes for warnings: a diagram skipped, and why.
std::vector<std::string> write_message_outputs(const Recorder& recorder, const ReportContext& ctx,
                                               const std::filesystem::path& dir);

// summary.json's "messages": {"listed", "omitted", "cap"}; null without a message log.
nlohmann::ordered_json messages_summary(const ReportContext& ctx);

}  // namespace herd::sim
