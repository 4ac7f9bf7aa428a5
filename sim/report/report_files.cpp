#include "report/report_files.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace herd::sim {

std::string fixed(double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

std::string ms(double value) { return fixed(value, 3); }

void write_file(const std::filesystem::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw std::runtime_error(path.string() + ": cannot write the file");
}

}  // namespace herd::sim
