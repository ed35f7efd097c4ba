#pragma once
// Images: a non-owning view over caller memory (ImageView) and a small owning 8-bit image
// (Image). No OpenCV types in the public API: an ImageView can point at a cv::Mat's pixels
// (data, cols, rows, channels, step[0]) without a copy.

#include <cstddef>
#include <cstdint>
#include <vector>
#include "gpen/export.hpp"

namespace gpen {

/// Order of the colour channels in memory. Alpha, when present, is always last.
enum class ColorOrder { BGR, RGB };

/// A view over pixels the caller owns. Rows are `stride` bytes apart (0 means tightly packed).
/// Accepted inputs: 1 (gray), 3 (colour) or 4 (colour + alpha) channels, 8 or 16 bits per channel.
/// Gray is replicated to three channels, 16-bit values are scaled to 8 bits (v / 257, rounded),
/// and for aligned faces the alpha channel is dropped (faces are restored opaque).
struct GPEN_API ImageView {
  const void* data = nullptr;
  int width = 0;
  int height = 0;
  int channels = 3;
  int depth = 8;  ///< bits per channel: 8 or 16
  std::size_t stride = 0;
  ColorOrder order = ColorOrder::BGR;

  /// Bytes per row, resolving stride == 0 to the packed size.
  std::size_t row_bytes() const {
    return stride ? stride : static_cast<std::size_t>(width) * channels * (depth / 8);
  }
};

/// An owning, tightly packed 8-bit image.
class GPEN_API Image {
 public:
  Image() = default;
  Image(int width, int height, int channels = 3, ColorOrder order = ColorOrder::BGR);

  int width() const { return width_; }
  int height() const { return height_; }
  int channels() const { return channels_; }
  ColorOrder order() const { return order_; }
  bool empty() const { return pixels_.empty(); }
  std::uint8_t* data() { return pixels_.data(); }
  const std::uint8_t* data() const { return pixels_.data(); }
  std::size_t size_bytes() const { return pixels_.size(); }
  /// Pixel channel value at (x, y, c); no bounds checks.
  std::uint8_t at(int x, int y, int c) const {
    return pixels_[(static_cast<std::size_t>(y) * width_ + x) * channels_ + c];
  }
  ImageView view() const;

 private:
  std::vector<std::uint8_t> pixels_;
  int width_ = 0;
  int height_ = 0;
  int channels_ = 0;
  ColorOrder order_ = ColorOrder::BGR;
};

}  // namespace gpen
