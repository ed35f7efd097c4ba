#include "video/frame_rotation.hpp"

#include <cstring>

#include <opencv2/core.hpp>

namespace gpen::detail {

Image turned_clockwise(const Image& frame, int degrees) {
  const int d = ((degrees % 360) + 360) % 360;
  if (d == 0) return frame;
  const cv::Mat in(frame.height(), frame.width(), CV_8UC3, const_cast<std::uint8_t*>(frame.data()));
  cv::Mat out;
  cv::rotate(in, out, d == 90 ? cv::ROTATE_90_CLOCKWISE : d == 180 ? cv::ROTATE_180 : cv::ROTATE_90_COUNTERCLOCKWISE);
  Image turned(out.cols, out.rows, 3, frame.order());
  for (int y = 0; y < out.rows; ++y) std::memcpy(turned.data() + static_cast<std::size_t>(y) * out.cols * 3, out.ptr(y), out.cols * 3);
  return turned;
}

}  // namespace gpen::detail
