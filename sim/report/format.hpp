#pragma once
// What every writer of a run's files shares, in one place: numbers as the files show them, text
// escaped for CSV and for SVG and HTML, the fault windows' short names and colours (the plots' keys,
// messages.svg's shading), and a file written whole or an error.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "record/spans.hpp"

namespace herd::sim {

std::string fixed(double value, int decimals);
// Milliseconds as the files show them: microsecond precision, like the recorder's clock readings.
std::string ms(double value);

// RFC 4180: client ids are any non-whitespace text, so commas and quotes must survive.
std::string csv(std::string_view field);
// Text for SVG and HTML content and attributes.
std::string xml_escape(std::string_view text);

// A fault window's short name for keys: "W<k> <label>", cut to fit a key column.
std::string window_name(std::size_t k, const FaultWindow& f);
const char* window_colour(std::size_t k);

// Throws std::runtime_error naming the file when it cannot be written.
void write_file(const std::filesystem::path& path, const std::string& content);

}  // namespace herd::sim
