#pragma once
// Reading and writing image files (PNG, JPEG, WebP, TIFF, BMP...) through OpenCV.

#include <string>

#include "gpen/image.hpp"

namespace gpen {

/// Decodes an image file to 8-bit BGR (or BGRA when it has alpha), EXIF orientation applied.
/// Gray and 16-bit files are converted as ImageView documents. Throws gpen::Error
/// FileNotFound or DecodeFailed, naming the file.
Image read_image(const std::string& path);

/// Encodes by extension (.png, .jpg/.jpeg, .webp, ...). `quality` 1-100 applies to JPEG/WebP.
/// Throws gpen::Error EncodeFailed or InvalidImage, naming the file.
void write_image(const std::string& path, const ImageView& image, int quality = 95);

}  // namespace gpen
