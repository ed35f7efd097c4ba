#pragma once
// Reading and writing image files (PNG, JPEG, WebP, TIFF, BMP...) through OpenCV.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gpen/image.hpp"
#include "gpen/export.hpp"

namespace gpen {

/// Decodes an image file to 8 bits: 1 channel (gray), 3 (BGR) or 4 (BGRA, alpha kept).
/// 16-bit files are scaled to 8 bits (v / 257, rounded). EXIF orientation is applied to JPEG.
/// Files declaring more than 268 megapixels (2^28) are refused before anything is decoded.
/// Throws gpen::Error FileNotFound or DecodeFailed, naming the file and the problem.
GPEN_API Image read_image(const std::string& path);

/// Decodes an image held in memory, with the rules of read_image; `name` is what error messages
/// call it. With `max_pixels` > 0, an image larger than that (as its header declares it, before
/// anything is decoded, or as decoded for formats whose header is not parsed) throws
/// gpen::Error(InvalidImage) "NAME is WxH pixels (N megapixels); the limit is M megapixels".
GPEN_API Image decode_image(const void* data, std::size_t size, const std::string& name = "image",
                            std::int64_t max_pixels = 0);

/// Encodes to "png", "jpg"/"jpeg", "webp", "bmp", "tif"/"tiff" in memory; `quality` as write_image.
/// Throws gpen::Error EncodeFailed, InvalidImage or InvalidArgument (quality, unknown format).
GPEN_API std::vector<unsigned char> encode_image(const ImageView& image, const std::string& format,
                                                 int quality = 95);

/// Encodes by extension (.png, .jpg/.jpeg, .webp, ...). `quality` 1-100 applies to JPEG/WebP.
/// Throws gpen::Error EncodeFailed or InvalidImage, naming the file.
GPEN_API void write_image(const std::string& path, const ImageView& image, int quality = 95);

/// Writes `size` bytes to a temporary file beside `path`, flushes it to disk and renames it
/// over `path`: a crash or kill leaves either the old file or the complete new one (how every
/// output of the library and its tools is written). Throws gpen::Error(EncodeFailed) naming
/// the file and the OS error.
GPEN_API void write_file_atomically(const std::string& path, const void* data, std::size_t size);

}  // namespace gpen
