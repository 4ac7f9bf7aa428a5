#include "protocol/eof_tail.hpp"

#include "protocol/command.hpp"

namespace herd {

bool processed_at_eof(std::string_view tail) {
    std::size_t start = 0;
    while (start < tail.size() && is_protocol_space(tail[start])) ++start;
    std::size_t end = start;
    while (end < tail.size() && !is_protocol_space(tail[end])) ++end;
    return tail.substr(start, end - start) != "AT";
}

}  // namespace herd
