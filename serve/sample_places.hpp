#pragma once
// The Places answer `--mock-places` gives without a FILE, built into the binary at build time
// (serve/CMakeLists.txt) so that it works from any working directory.
#include <string_view>

namespace herd::serve {

extern const std::string_view sample_places_name;  // the file it was made from
extern const std::string_view sample_places_body;  // its bytes

}  // namespace herd::serve
