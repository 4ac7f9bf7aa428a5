#include "record/lateness.hpp"

namespace herd::sim {

const char* lateness_kind_name(Lateness::Kind kind) {
    switch (kind) {
        case Lateness::Kind::step: return "step";
        case Lateness::Kind::workload: return "workload";
        case Lateness::Kind::start_up: return "start-up";
    }
    return "step";
}

}  // namespace herd::sim
