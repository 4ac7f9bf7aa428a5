#pragma once
// How far apart two words are, for "did you mean" suggestions (scenario keys, command-line words).
#include <cstddef>
#include <string_view>

namespace herd::sim {

// Levenshtein distance: how many letters to insert, delete or change to turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace herd::sim
