#include "gpen/compare.hpp"

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "gpen/error.hpp"
#include "imaging/image_convert.hpp"

namespace gpen {

namespace {

// `m` (1, 3 or 4 channels in `from` order) with `channels` channels in `to` order.
cv::Mat convert_channels(const cv::Mat& m, ColorOrder from, int channels, ColorOrder to) {
  cv::Mat bgr;  // first to BGR(A)
  if (m.channels() == 1) {
    cv::cvtColor(m, bgr, channels == 4 ? cv::COLOR_GRAY2BGRA : cv::COLOR_GRAY2BGR);
  } else if (from == ColorOrder::RGB) {
    cv::cvtColor(m, bgr, m.channels() == 4 ? cv::COLOR_RGBA2BGRA : cv::COLOR_RGB2BGR);
  } else {
    bgr = m;
  }
  cv::Mat out;
  if (channels == 1) {
    cv::cvtColor(bgr, out, bgr.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
    return out;
  }
  if (channels == 3 && bgr.channels() == 4) cv::cvtColor(bgr, bgr, cv::COLOR_BGRA2BGR);
  if (channels == 4 && bgr.channels() == 3) cv::cvtColor(bgr, bgr, cv::COLOR_BGR2BGRA);
  if (to == ColorOrder::RGB) {
    cv::cvtColor(bgr, out, channels == 4 ? cv::COLOR_BGRA2RGBA : cv::COLOR_BGR2RGB);
    return out;
  }
  return bgr;
}

}  // namespace

Image side_by_side(const ImageView& before, const ImageView& after) {
  detail::validate_view(before, "the 'before' image");
  detail::validate_view(after, "the 'after' image");
  if (before.depth != 8 || after.depth != 8) {
    throw Error(ErrorCode::InvalidImage, "side_by_side takes 8-bit images");
  }
  const cv::Mat b = detail::wrap(before);
  const cv::Mat a = detail::wrap(after);
  const int width = std::max(1, static_cast<int>(std::lround(static_cast<double>(b.cols) * a.rows / b.rows)));
  cv::Mat resized;
  if (width == b.cols && a.rows == b.rows) {
    resized = b;
  } else {
    cv::resize(b, resized, cv::Size(width, a.rows), 0, 0, a.rows > b.rows ? cv::INTER_LANCZOS4 : cv::INTER_AREA);
  }
  const cv::Mat left = convert_channels(resized, before.order, a.channels(), after.order);
  Image out(left.cols + a.cols, a.rows, a.channels(), after.order);
  cv::Mat target(out.height(), out.width(), left.type(), out.data());
  left.copyTo(target(cv::Rect(0, 0, left.cols, left.rows)));
  a.copyTo(target(cv::Rect(left.cols, 0, a.cols, a.rows)));
  return out;
}

}  // namespace gpen
