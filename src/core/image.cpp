#include "gpen/image.hpp"

#include <string>

#include "gpen/error.hpp"

namespace gpen {

Image::Image(int width, int height, int channels, ColorOrder order)
    : width_(width), height_(height), channels_(channels), order_(order) {
  if (width <= 0 || height <= 0) {
    throw Error(ErrorCode::InvalidImage, "image size must be positive, got " +
                                             std::to_string(width) + "x" + std::to_string(height));
  }
  if (channels != 1 && channels != 3 && channels != 4) {
    throw Error(ErrorCode::InvalidImage,
                "image channels must be 1, 3 or 4, got " + std::to_string(channels));
  }
  pixels_.assign(static_cast<std::size_t>(width) * height * channels, 0);
}

ImageView Image::view() const {
  ImageView v;
  v.data = pixels_.data();
  v.width = width_;
  v.height = height_;
  v.channels = channels_;
  v.depth = 8;
  v.stride = static_cast<std::size_t>(width_) * channels_;
  v.order = order_;
  return v;
}

}  // namespace gpen
