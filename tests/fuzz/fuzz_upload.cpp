// libFuzzer target: what gpen-server does with an uploaded zip and with a request's fields.
// The input's first byte picks the door:
//   even: the rest is a zip: unpack_images either throws ApiError/gpen::Error or writes only
//         under its destination folder, files it names (which are then removed);
//   odd:  the rest is "name=value" lines: parse_restore_request either throws ApiError 400 or
//         returns parameters that validate.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include "gpen/error.hpp"
#include "server/api_error.hpp"
#include "server/request_params.hpp"
#include "server/zip_archive.hpp"

namespace fs = std::filesystem;

namespace {

void unpack(const std::string& data) {
  static const fs::path dest = fs::temp_directory_path() / ("gpen-fuzz-upload-" + std::to_string(::getpid()));
  fs::remove_all(dest);
  fs::create_directories(dest);
  gpen::server::ZipLimits limits;
  limits.max_files = 50;
  limits.max_total_bytes = 1 << 20;
  try {
    const auto written = gpen::server::unpack_images(data, dest.string(), limits, [](const std::string& name) { return name; });
    for (const std::string& name : written) {
      const fs::path p = fs::weakly_canonical(dest / name);
      const std::string root = fs::weakly_canonical(dest).string() + "/";
      if (p.string().rfind(root, 0) != 0) __builtin_trap();  // escaped its folder
    }
  } catch (const gpen::server::ApiError& e) {
    if (e.status() != 400 && e.status() != 413) __builtin_trap();
  } catch (const gpen::Error&) {
  }
  fs::remove_all(dest);
}

void fields(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    const std::size_t eq = line.find('=');
    pairs.emplace_back(line.substr(0, eq), eq == std::string::npos ? "" : line.substr(eq + 1));
    start = end + 1;
  }
  try {
    const gpen::server::RestoreRequest request = gpen::server::parse_restore_request(pairs);
    request.params.validate();
  } catch (const gpen::server::ApiError& e) {
    if (e.status() != 400) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    unpack(rest);
  } else {
    fields(rest);
  }
  return 0;
}
