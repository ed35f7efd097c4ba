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

/// One step of a walk over a JPEG's marker segments (fill bytes and standalone markers are
/// skipped; a segment is skipped by its length, so an EXIF thumbnail's markers are never seen).
struct JpegStep {
  enum Kind { Segment, EndOfData, NoMarker, EndOfImage } kind = EndOfData;
  unsigned char marker = 0;  ///< Segment: its marker (0xC0 SOF0, 0xDA start of scan, ...)
  std::size_t at = 0;        ///< where the segment (or the missing marker) is
  std::size_t length = 0;    ///< Segment: its length field (>= 2), which may run past the end
};

/// The step at byte `at` (2 for the first after the start-of-image marker). EndOfData: fewer
/// than the 4 bytes of a marker and length are left; NoMarker: not 0xFF where a marker must be;
/// EndOfImage: 0xFFD9 before any scan.
JpegStep next_jpeg_step(const unsigned char* data, std::size_t size, std::size_t at);

/// PNG, JPEG, GIF, BMP, WebP, TIFF (first page) and PNM/PAM/PFM headers.
DeclaredSize declared_size(const unsigned char* data, std::size_t size);

/// Largest image the library decodes: 2^28 pixels (268 megapixels, e.g. 16384 x 16384).
constexpr std::int64_t kMaxDecodePixels = std::int64_t(1) << 28;

}  // namespace gpen::detail
