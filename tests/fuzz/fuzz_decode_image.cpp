// libFuzzer target: gpen::decode_image, the library's door for every untrusted image (files,
// uploads, the C ABI's and Python's decoders): header checks, then OpenCV's decoders (PNG,
// JPEG, WebP, TIFF, BMP, PNM/PAM/PFM, ...), then the conversion to 8 bits. Either an Image that
// is whole (its size within the limit, 1/3/4 channels) or a gpen::Error with a message.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gpen/error.hpp"
#include "gpen/io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::int64_t kMaxPixels = 1 << 22;  // keeps each run's memory small
  try {
    const gpen::Image image = gpen::decode_image(data, size, "fuzz", kMaxPixels);
    const std::int64_t pixels = std::int64_t(image.width()) * image.height();
    if (pixels <= 0 || pixels > kMaxPixels) __builtin_trap();
    if (image.channels() != 1 && image.channels() != 3 && image.channels() != 4) __builtin_trap();
    volatile unsigned sum = 0;
    const std::uint8_t* p = image.data();
    for (std::int64_t i = 0; i < pixels * image.channels(); i += 61) sum += p[i];  // readable
  } catch (const gpen::Error& e) {
    if (std::string(e.what()).empty()) __builtin_trap();
  }
  return 0;
}
