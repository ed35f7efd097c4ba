#include "imaging/filters.hpp"

#include <algorithm>
#include <array>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace gpen::detail {

cv::Mat denoise(const cv::Mat& bgr, float amount) {
  if (amount <= 0.0f) return bgr.clone();
  const double sigma_color = 0.75 * amount;       // up to 75 levels
  const double sigma_space = 1.0 + amount / 25.0;  // up to 5 px
  cv::Mat out;
  cv::bilateralFilter(bgr, out, 0, sigma_color, sigma_space);
  return out;
}

cv::Mat unsharp_mask(const cv::Mat& bgr, double amount, double sigma) {
  if (amount <= 0.0) return bgr.clone();
  cv::Mat blurred, out;
  cv::GaussianBlur(bgr, blurred, cv::Size(0, 0), sigma);
  cv::addWeighted(bgr, 1.0 + amount, blurred, -amount, 0.0, out);
  return out;
}

cv::Mat sharpen(const cv::Mat& bgr, float amount) {
  return unsharp_mask(bgr, 1.5 * amount / 100.0, 1.0);
}

cv::Mat auto_levels(const cv::Mat& bgr, double low, double high) {
  std::vector<cv::Mat> planes;
  cv::split(bgr, planes);
  const double total = static_cast<double>(bgr.total());
  for (cv::Mat& plane : planes) {
    std::array<double, 256> hist{};
    for (int y = 0; y < plane.rows; ++y) {
      const uchar* row = plane.ptr<uchar>(y);
      for (int x = 0; x < plane.cols; ++x) hist[row[x]] += 1.0;
    }
    int lo = 0, hi = 255;
    double acc = 0.0;
    for (int v = 0; v < 256; ++v) {
      acc += hist[v];
      if (acc >= total * low / 100.0) { lo = v; break; }
    }
    acc = 0.0;
    for (int v = 255; v >= 0; --v) {
      acc += hist[v];
      if (acc >= total * (100.0 - high) / 100.0) { hi = v; break; }
    }
    if (hi - lo < 8) continue;  // flat channel: leave it alone
    const double scale = 255.0 / (hi - lo);
    plane.convertTo(plane, CV_8U, scale, -lo * scale);
  }
  cv::Mat out;
  cv::merge(planes, out);
  return out;
}

cv::Mat blend(const cv::Mat& a, const cv::Mat& b, double t) {
  if (t >= 1.0) return b.clone();
  if (t <= 0.0) return a.clone();
  cv::Mat out;
  cv::addWeighted(a, 1.0 - t, b, t, 0.0, out);
  return out;
}

}  // namespace gpen::detail

namespace gpen::detail {

cv::Mat gray_world_balance(const cv::Mat& bgr, double strength) {
  const cv::Scalar mean = cv::mean(bgr);
  const double gray = (mean[0] + mean[1] + mean[2]) / 3.0;
  std::vector<cv::Mat> planes;
  cv::split(bgr, planes);
  for (int c = 0; c < 3; ++c) {
    const double gain = mean[c] > 1.0 ? gray / mean[c] : 1.0;
    planes[c].convertTo(planes[c], CV_8U, 1.0 + strength * (gain - 1.0));
  }
  cv::Mat out;
  cv::merge(planes, out);
  return out;
}

cv::Mat local_contrast(const cv::Mat& bgr, double clip, int tiles) {
  cv::Mat lab;
  cv::cvtColor(bgr, lab, cv::COLOR_BGR2Lab);
  std::vector<cv::Mat> planes;
  cv::split(lab, planes);
  cv::Ptr<cv::CLAHE> clahe = cv::createCLAHE(clip, cv::Size(tiles, tiles));
  clahe->apply(planes[0], planes[0]);
  cv::merge(planes, lab);
  cv::Mat out;
  cv::cvtColor(lab, out, cv::COLOR_Lab2BGR);
  return out;
}

}  // namespace gpen::detail
