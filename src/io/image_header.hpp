#pragma once
// Reading an image's declared size from its header, before decoding, so that absurd sizes
// are refused before any pixel memory is allocated.

#include <cstddef>
#include <cstdint>

namespace gpen::detail {

struct DeclaredSize {
  bool known = false;  ///< false for formats we do not parse (OpenCV's own limit still applies)
  std::int64_t width = 0;
  std::int64_t height = 0;
  int jpeg_components = 0;  ///< a JPEG's colour components (1: gray, 3: YCbCr/RGB, 4: CMYK); 0 otherwise
  bool gray_alpha = false;  ///< a gray+alpha PNG (colour type 4), which OpenCV decodes as 4 channels
};

/// PNG, JPEG, GIF, BMP, WebP, TIFF (first page) and PNM/PAM/PFM headers.
DeclaredSize declared_size(const unsigned char* data, std::size_t size);

/// Largest image the library decodes: 2^28 pixels (268 megapixels, e.g. 16384 x 16384).
constexpr std::int64_t kMaxDecodePixels = std::int64_t(1) << 28;

}  // namespace gpen::detail
