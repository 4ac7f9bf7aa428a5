#pragma once
// One rule of the mock Places service: which requests it matches and how it answers them. Plain
// data, apart from the mock itself, so that a scenario's "places" rules are these very rules.
#include <chrono>
#include <optional>
#include <string>

namespace herd::serve {

// What to answer to the requests a rule matches. Matchers left empty match anything.
struct MockPlacesRule {
    // ({} so designated initializers may leave them out without a -Wextra warning.)
    std::optional<std::string> api{};       // "legacy" or "new" (from the request path)
    std::optional<std::string> location{};  // "34.068930,-118.445127", as the legacy query carries it
    std::optional<std::string> radius{};    // metres as text: "10000"

    unsigned status = 200;  // any code from 100 to 999
    std::optional<std::string> body{};   // sent verbatim; unset: default_body
    std::chrono::milliseconds delay{0};  // before answering (or closing)
    int fail_first = 0;                  // the first N requests this rule matches get HTTP 500
    bool malformed = false;              // the body is cut off in the middle: not valid JSON
    bool never_answer = false;           // read the request, keep the connection open, never answer
    bool close_without_answer = false;   // read the request, then close the connection
};

}  // namespace herd::serve
