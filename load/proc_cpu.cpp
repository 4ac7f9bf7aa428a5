#include "load/proc_cpu.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace herd::load {

namespace {

// The fields after the command name, which is in parentheses and may itself hold spaces or ")".
std::optional<double> cpu_seconds(const std::string& stat_path) {
    std::ifstream in(stat_path);
    std::string text;
    if (!std::getline(in, text)) return std::nullopt;
    const std::size_t close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(close + 1));
    std::string skip;
    for (int field = 3; field <= 13; ++field) fields >> skip;  // state .. cmajflt
    unsigned long long utime = 0, stime = 0;
    if (!(fields >> utime >> stime)) return std::nullopt;
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

std::optional<double> process_cpu_seconds(int pid) { return cpu_seconds("/proc/" + std::to_string(pid) + "/stat"); }

double own_cpu_seconds() { return cpu_seconds("/proc/self/stat").value_or(0.0); }

}  // namespace herd::load
