#include "detect/detection_image.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace gpen::detail {

cv::Mat detection_image(const cv::Mat& image, double wanted, int max_side, double& scale) {
  const int long_side = std::max(image.cols, image.rows);
  scale = wanted;
  if (max_side > 0) scale = std::min(scale, static_cast<double>(max_side) / long_side);
  const double pixels = static_cast<double>(image.cols) * image.rows;
  if (pixels > 0) scale = std::min(scale, std::sqrt(kMaxDetectionPixels / pixels));
  if (std::abs(scale - 1.0) <= 1e-6) {
    scale = 1.0;
    return image;
  }
  cv::Mat out;
  cv::resize(image, out, cv::Size(), scale, scale, scale > 1.0 ? cv::INTER_LINEAR : cv::INTER_AREA);
  return out;
}

}  // namespace gpen::detail
