#pragma once
// Cuts that know what the events are, tried before delta debugging's blind halves: a failure of a
// herd usually needs one kind of fault, on one node, with the clients' operations, so a schedule of
// fifty faults is first tried with no fault at all, then with only the faults of each kind (then of
// each node), then without each kind (then node). Each batch keeps the first candidate that still
// fails, and is asked again on what is left, until no cut of that grouping fails.
#include <vector>

#include "scenario/shrink.hpp"

namespace herd::sim {

// The kept events after cuts by kind, then by node, from all of `events` (which fail together).
ShrinkResult cut_by_kind_and_node(const std::vector<ShrinkEvent>& events, const FirstFailing& first_failing);

// Those cuts, then delta debugging on what is left: a set no single removal of which still fails.
ShrinkResult shrink_schedule(const std::vector<ShrinkEvent>& events, const FirstFailing& first_failing);

}  // namespace herd::sim
