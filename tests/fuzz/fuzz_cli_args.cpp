// libFuzzer target: gpen-restore's command line (the input split at NUL bytes into arguments).
// Either arguments whose parameters all validate, or a gpen::Error(InvalidArgument) naming the
// flag; the usage text and "did you mean" suggestions never fail.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/cli_args.hpp"
#include "gpen/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.emplace_back();
    } else {
      args.back() += static_cast<char>(data[i]);
    }
  }
  try {
    const gpen::cli::CliArgs parsed = gpen::cli::parse_cli_args(args);
    parsed.params.validate();
    parsed.options.validate();
  } catch (const gpen::Error& e) {
    if (e.code() != gpen::ErrorCode::InvalidArgument || std::string(e.what()).empty()) __builtin_trap();
  }
  return 0;
}
