#pragma once
// timeline.html: every client request of the run's send steps and its reply, one section per
// connection, in time order, each row coloured by its step's verdict (held, failed, or not judged).
// A self-contained page: no script, no external style.
#include <string>
#include <vector>

#include "record/client_exchange.hpp"
#include "report/report.hpp"

namespace herd::sim {

// "held" when every verdict of the exchange's step held, "failed" when one failed, "unjudged" when
// the step has none.
std::string exchange_verdict(const ClientExchange& exchange, const std::vector<Verdict>& verdicts);

std::string timeline_html(const ReportContext& ctx);

}  // namespace herd::sim
