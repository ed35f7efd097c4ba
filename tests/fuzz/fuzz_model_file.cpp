// libFuzzer target: a model file as the library opens it (`read_model_info`, the same checks and
// LibTorch archive reading a Restorer starts with): the bytes are written to a file and opened.
// Either a ModelInfo or a gpen::Error with a message; LibTorch's own exceptions never escape.
// The library is linked as built (only this harness is instrumented): what is found here is a
// crash or an escaping exception, not a silent overflow inside LibTorch.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "gpen/error.hpp"
#include "gpen/model_info.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/gpen-fuzz-model-" + std::to_string(::getpid()) + ".pt";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    const gpen::ModelInfo info = gpen::read_model_info(path);
    if (info.size <= 0) __builtin_trap();
  } catch (const gpen::Error& e) {
    if (std::string(e.what()).empty()) __builtin_trap();
  }
  return 0;
}
