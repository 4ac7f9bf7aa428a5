#pragma once
// What every writer of a run's files shares: numbers as the files show them, and a file written
// whole or an error.
#include <filesystem>
#include <string>

namespace herd::sim {

std::string fixed(double value, int decimals);
// Milliseconds as the files show them: microsecond precision, like the recorder's clock readings.
std::string ms(double value);
// Throws std::runtime_error naming the file when it cannot be written.
void write_file(const std::filesystem::path& path, const std::string& content);

}  // namespace herd::sim
