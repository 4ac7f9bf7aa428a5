#pragma once
// The record using the protocol core: an include that runs down, allowed.
#include "protocol/command.hpp"
