#include "report/plots/plots.hpp"

#include "report/plots/gnuplot.hpp"

namespace herd::sim::plots {

std::vector<std::string> write_plots(const PlotInput& in, const std::filesystem::path& dir) {
    using Writer = std::optional<std::string> (*)(const PlotInput&, const std::filesystem::path&);
    const std::pair<const char*, Writer> all[] = {{"latency_per_node", latency_per_node},
                                                  {"coverage_cdf", coverage_cdf},
                                                  {"throughput", throughput},
                                                  {"rolling_quantiles", rolling_quantiles}};
    std::vector<std::string> warnings;
    std::vector<std::string> written;
    for (const auto& [stem, write] : all) {
        if (auto skipped = write(in, dir))
            warnings.push_back(std::string(stem) + ".png: " + *skipped + "; no plot");
        else
            written.emplace_back(stem);
    }
    if (in.ctx.gnuplot.empty()) {
        if (!written.empty()) warnings.push_back("plots not drawn (no gnuplot program given); the .gp scripts are written");
        return warnings;
    }
    for (const auto& stem : written) draw(in.ctx.gnuplot, dir, stem, warnings);
    return warnings;
}

}  // namespace herd::sim::plots
