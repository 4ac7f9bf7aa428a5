#include "report/plots/plots.hpp"

#include "report/plots/gnuplot.hpp"

namespace herd::sim {

void write_plots(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings) {
    using namespace plots;
    using Plot = std::optional<std::string> (*)(const ReportInput&, const std::filesystem::path&);
    const std::pair<const char*, Plot> all[] = {{"latency_per_node", latency_per_node},
                                                  {"coverage_cdf", coverage_cdf},
                                                  {"throughput", throughput},
                                                  {"rolling_quantiles", rolling_quantiles}};
    std::vector<std::string> written;
    for (const auto& [stem, write] : all) {
        if (auto skipped = write(in, dir))
            warnings.push_back(std::string(stem) + ".png: " + *skipped + "; no plot");
        else
            written.emplace_back(stem);
    }
    if (in.options.gnuplot.empty()) {
        if (!written.empty()) warnings.push_back("plots not drawn (no gnuplot program given); the .gp scripts are written");
        return;
    }
    for (const auto& stem : written) draw(in.options.gnuplot, dir, stem, warnings);
}

}  // namespace herd::sim
