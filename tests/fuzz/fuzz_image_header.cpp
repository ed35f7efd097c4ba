// libFuzzer target: the header parsers that run on every untrusted image file before OpenCV
// (declared size of PNG/JPEG/GIF/BMP/WebP/TIFF/PNM, JPEG structure, damage descriptions). Must never read out
// of bounds, overflow or hang, whatever the bytes.
#include <cstddef>
#include <cstdint>

#include "io/image_damage.hpp"
#include "io/image_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const gpen::detail::DeclaredSize s = gpen::detail::declared_size(data, size);
  if (s.known && (s.width < 0 || s.height < 0)) __builtin_trap();
  gpen::detail::jpeg_structure(data, size);
  gpen::detail::describe_damage(data, size);
  return 0;
}
