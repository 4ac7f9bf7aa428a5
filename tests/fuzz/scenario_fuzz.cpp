// libFuzzer target for the scenario loader: any bytes as a scenario file, resolved against the
// repo's tests/data/scenarios (so herd configs and body files named by the seeds are found; they
// are only read). The loader must answer with a scenario or errors, never crash, hang or throw.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "scenario/loader.hpp"

namespace {
void require(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::filesystem::path file = std::filesystem::path(HERDSIM_FUZZ_SCENARIO_DIR) / "fuzz.json";
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto result = herd::sim::parse_scenario(text, file);
    // A scenario exactly when there is no error; every error names the file and, inside a step,
    // a field under that step.
    require(result.scenario.has_value() == result.errors.empty());
    for (const auto& error : result.errors) {
        require(error.file == file.string() && !error.message.empty());
        if (error.step) require(error.field.starts_with("steps[" + std::to_string(*error.step) + "]"));
    }
    return 0;
}
