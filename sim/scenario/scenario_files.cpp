#include "scenario/loader.hpp"

#include <algorithm>

namespace herd::sim {

std::vector<std::filesystem::path> scenario_files(const std::vector<std::string>& arguments,
                                                  std::vector<std::string>& errors) {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const auto& argument : arguments) {
        std::error_code ec;
        if (fs::is_directory(argument, ec)) {
            std::vector<fs::path> found;
            for (const auto& entry : fs::directory_iterator(argument, ec))
                if (entry.is_regular_file(ec) && entry.path().extension() == ".json") found.push_back(entry.path());
            std::sort(found.begin(), found.end());
            if (found.empty()) errors.push_back(argument + ": no *.json scenario files in this folder");
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(argument, ec)) {
            files.emplace_back(argument);
        } else {
            errors.push_back(argument + ": no such file or folder");
        }
    }
    return files;
}

}  // namespace herd::sim
