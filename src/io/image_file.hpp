#pragma once
// An image file decoded together with what the pixels alone cannot say: whether it was a
// gray+alpha PNG. OpenCV decodes those as 4 channels (it has no 2-channel images); whoever writes
// the result back (the batch engine, the server) gives it gray colours again, so gray stays gray.

#include <cstddef>
#include <string>

#include "gpen/image.hpp"

namespace gpen::detail {

struct DecodedImage {
  Image image;
  bool gray_alpha = false;
};

/// read_image, plus the gray+alpha flag.
DecodedImage read_image_file(const std::string& path);

/// Whether encoded bytes are a gray+alpha PNG.
bool is_gray_alpha_png(const unsigned char* data, std::size_t size);

}  // namespace gpen::detail
