// libFuzzer target: the gpen/meta.json of a model file (written by `python -m gpen.export`, but
// a model file is untrusted input), parsed with OpenCV's JSON reader for GPEN and RetinaFace
// models. Either a ModelInfo whose numbers are usable or a gpen::Error with a message.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gpen/error.hpp"
#include "model/model_metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string json(reinterpret_cast<const char*>(data), size);
  try {
    const gpen::ModelInfo info = gpen::detail::parse_model_metadata(json, "fuzz.pt");
    if (info.size <= 0) __builtin_trap();
  } catch (const gpen::Error& e) {
    if (std::string(e.what()).empty()) __builtin_trap();
  }
  try {
    const gpen::detail::RetinaFaceInfo info = gpen::detail::parse_retinaface_metadata(json, "fuzz.pt");
    if (info.steps.size() != info.min_sizes.size()) __builtin_trap();
  } catch (const gpen::Error& e) {
    if (std::string(e.what()).empty()) __builtin_trap();
  }
  return 0;
}
