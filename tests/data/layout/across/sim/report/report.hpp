#pragma once
// A writer reaching across into the herd under test: not below it, refused as "across".
#include "herd/relay.hpp"
#include "record/recorder.hpp"
