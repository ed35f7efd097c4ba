#include "imaging/paste_back.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace gpen::detail {

cv::Mat face_mask(int size) {
  const double s = size / 512.0;
  const int inset = static_cast<int>(std::lround(26 * s));
  const double sigma = 4.0 * s;
  cv::Mat mask = cv::Mat::zeros(size, size, CV_32F);
  mask(cv::Rect(inset, inset, size - 2 * inset, size - 2 * inset)).setTo(1.0f);
  cv::GaussianBlur(mask, mask, cv::Size(0, 0), sigma);
  cv::GaussianBlur(mask, mask, cv::Size(0, 0), sigma);
  return mask;
}

cv::Matx23d invert_affine(const cv::Matx23d& m) {
  cv::Mat inv;
  cv::invertAffineTransform(cv::Mat(m), inv);
  return cv::Matx23d(inv);
}

cv::Rect paste_region(const cv::Matx23d& canvas_from_crop, cv::Size crop, cv::Size canvas) {
  const cv::Matx23d& inv = canvas_from_crop;
  double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
  for (double cx : {0.0, static_cast<double>(crop.width)}) {
    for (double cy : {0.0, static_cast<double>(crop.height)}) {
      const double x = inv(0, 0) * cx + inv(0, 1) * cy + inv(0, 2);
      const double y = inv(1, 0) * cx + inv(1, 1) * cy + inv(1, 2);
      x0 = std::min(x0, x);
      y0 = std::min(y0, y);
      x1 = std::max(x1, x);
      y1 = std::max(y1, y);
    }
  }
  return cv::Rect(cv::Point(static_cast<int>(std::floor(x0)) - 1, static_cast<int>(std::floor(y0)) - 1),
                  cv::Point(static_cast<int>(std::ceil(x1)) + 2, static_cast<int>(std::ceil(y1)) + 2)) &
         cv::Rect(0, 0, canvas.width, canvas.height);
}

void paste_face(cv::Mat& canvas, const cv::Mat& face, const cv::Matx23d& crop_from_canvas,
                const cv::Mat& mask, double alpha) {
  CV_Assert(canvas.type() == CV_8UC3 && face.type() == CV_8UC3 && mask.type() == CV_32F);
  if (alpha <= 0.0) return;
  const cv::Matx23d inv = invert_affine(crop_from_canvas);
  const cv::Rect roi = paste_region(inv, face.size(), canvas.size());
  if (roi.empty()) return;
  cv::Matx23d to_roi = inv;
  to_roi(0, 2) -= roi.x;
  to_roi(1, 2) -= roi.y;
  cv::Mat warped, warped_mask;
  cv::warpAffine(face, warped, cv::Mat(to_roi), roi.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  cv::warpAffine(mask, warped_mask, cv::Mat(to_roi), roi.size(), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::Mat target = canvas(roi);
  for (int y = 0; y < roi.height; ++y) {
    const float* m = warped_mask.ptr<float>(y);
    const cv::Vec3b* f = warped.ptr<cv::Vec3b>(y);
    cv::Vec3b* c = target.ptr<cv::Vec3b>(y);
    for (int x = 0; x < roi.width; ++x) {
      const double w = alpha * std::clamp(static_cast<double>(m[x]), 0.0, 1.0);
      if (w <= 0.0) continue;
      for (int k = 0; k < 3; ++k) {
        c[x][k] = cv::saturate_cast<uchar>(c[x][k] * (1.0 - w) + f[x][k] * w);
      }
    }
  }
}

void paste_face_change(cv::Mat& canvas, const cv::Mat& face, const cv::Mat& original,
                       const cv::Matx23d& crop_from_canvas, const cv::Mat& mask, double alpha) {
  CV_Assert(canvas.type() == CV_8UC3 && face.type() == CV_8UC3 && original.type() == CV_8UC3 &&
            face.size() == original.size() && mask.type() == CV_32F);
  if (alpha <= 0.0) return;
  const cv::Matx23d inv = invert_affine(crop_from_canvas);
  const cv::Rect roi = paste_region(inv, face.size(), canvas.size());
  if (roi.empty()) return;
  cv::Matx23d to_roi = inv;
  to_roi(0, 2) -= roi.x;
  to_roi(1, 2) -= roi.y;
  cv::Mat change;
  cv::subtract(face, original, change, cv::noArray(), CV_32FC3);
  cv::Mat warped, warped_mask;
  cv::warpAffine(change, warped, cv::Mat(to_roi), roi.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  cv::warpAffine(mask, warped_mask, cv::Mat(to_roi), roi.size(), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::Mat target = canvas(roi);
  for (int y = 0; y < roi.height; ++y) {
    const float* m = warped_mask.ptr<float>(y);
    const cv::Vec3f* d = warped.ptr<cv::Vec3f>(y);
    cv::Vec3b* c = target.ptr<cv::Vec3b>(y);
    for (int x = 0; x < roi.width; ++x) {
      const double w = alpha * std::clamp(static_cast<double>(m[x]), 0.0, 1.0);
      if (w <= 0.0) continue;
      for (int k = 0; k < 3; ++k) c[x][k] = cv::saturate_cast<uchar>(c[x][k] + d[x][k] * w);
    }
  }
}

}  // namespace gpen::detail
