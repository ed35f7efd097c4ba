#include "imaging/classic_enhance.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>
#include <vector>

namespace gpen::detail {

double estimate_noise(const cv::Mat& gray) {
  CV_Assert(gray.type() == CV_8UC1);
  if (gray.rows < 8 || gray.cols < 8) return 0.0;
  cv::Mat f;
  gray.convertTo(f, CV_32F);
  const cv::Matx33f kernel(1, -2, 1, -2, 4, -2, 1, -2, 1);
  cv::Mat response, gx, gy;
  cv::filter2D(f, response, CV_32F, kernel);
  cv::Sobel(f, gx, CV_32F, 1, 0);
  cv::Sobel(f, gy, CV_32F, 0, 1);
  cv::Mat gradient = cv::abs(gx) + cv::abs(gy);
  // The flattest half of the interior: there the response is mostly noise.
  const cv::Rect inner(1, 1, f.cols - 2, f.rows - 2);
  const cv::Mat inner_gradient = gradient(inner).clone();  // continuous
  std::vector<float> g(inner_gradient.ptr<float>(), inner_gradient.ptr<float>() + inner_gradient.total());
  std::nth_element(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(g.size() / 2), g.end());
  const float threshold = g[g.size() / 2];
  double sum = 0.0;
  std::size_t n = 0;
  for (int y = 1; y < f.rows - 1; ++y) {
    const float* r = response.ptr<float>(y);
    const float* gr = gradient.ptr<float>(y);
    for (int x = 1; x < f.cols - 1; ++x) {
      if (gr[x] > threshold) continue;
      sum += std::abs(r[x]);
      ++n;
    }
  }
  if (n == 0) return 0.0;
  return std::sqrt(M_PI / 2.0) * sum / (6.0 * static_cast<double>(n));
}

cv::Mat careful_enhance(const cv::Mat& bgr) {
  CV_Assert(bgr.type() == CV_8UC3);
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  const double sigma = estimate_noise(gray);
  // Noise, only where there is some: non-local means for visible noise (over 2 levels), then
  // a light edge-preserving pass for grain (over 1 level). Clean crops skip both.
  cv::Mat denoised = bgr;
  if (sigma > 2.0) {
    const float h = static_cast<float>(std::min(sigma * 0.9, 20.0));
    cv::fastNlMeansDenoisingColored(bgr, denoised, h, h, 5, 15);
  }
  if (sigma > 1.0) {
    cv::Mat smoothed;
    cv::bilateralFilter(denoised, smoothed, 5, 3.0 * sigma + 10.0, 3.0);
    denoised = smoothed;
  }
  // Chroma apart, in floating point (an 8-bit colour-space round trip alone would cost a level
  // here and there): cleaned of blotches only, no colour shift.
  cv::Mat f, ycc;
  denoised.convertTo(f, CV_32FC3);
  cv::cvtColor(f, ycc, cv::COLOR_BGR2YCrCb);
  std::vector<cv::Mat> planes;
  cv::split(ycc, planes);
  // Chroma blotches (colour noise, compression) only when the chroma planes are noisy.
  for (int c = 1; c <= 2; ++c) {
    cv::Mat chroma8;
    planes[c].convertTo(chroma8, CV_8U);
    if (estimate_noise(chroma8) > 1.0) cv::GaussianBlur(planes[c], planes[c], cv::Size(), 2.0);
  }
  cv::merge(planes, ycc);
  cv::cvtColor(ycc, f, cv::COLOR_YCrCb2BGR);
  cv::Mat out;  // a new buffer: the input is never written
  f.convertTo(out, CV_8U);
  return out;
}

}  // namespace gpen::detail
