#pragma once
// The protocol core reaching up into the simulator's record: the one include check-layout must refuse.
#include "record/recorder.hpp"
