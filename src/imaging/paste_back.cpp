#include "imaging/paste_back.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace gpen::detail {

cv::Mat feathered_mask(const cv::Mat& inside) {
  const int size = inside.rows;
  const double s = size / 512.0;
  const int inset = static_cast<int>(std::lround(26 * s));
  const double sigma = 4.0 * s;
  cv::Mat mask = cv::Mat::zeros(size, size, CV_32F);
  const cv::Rect kept(inset, inset, size - 2 * inset, size - 2 * inset);
  inside(kept).copyTo(mask(kept));
  cv::GaussianBlur(mask, mask, cv::Size(0, 0), sigma);
  cv::GaussianBlur(mask, mask, cv::Size(0, 0), sigma);
  return mask;
}

cv::Mat face_mask(int size) { return feathered_mask(cv::Mat::ones(size, size, CV_32F)); }

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

namespace {

// A crop-sized image and the mask warped back onto the canvas pixels they can touch.
struct WarpedBack {
  cv::Rect roi;  // empty: nothing to do
  cv::Mat image;
  cv::Mat mask;
};

WarpedBack warp_back(const cv::Mat& crop_image, const cv::Matx23d& crop_from_canvas, const cv::Mat& mask,
                     cv::Size canvas) {
  WarpedBack w;
  const cv::Matx23d inv = invert_affine(crop_from_canvas);
  w.roi = paste_region(inv, crop_image.size(), canvas);
  if (w.roi.empty()) return w;
  cv::Matx23d to_roi = inv;
  to_roi(0, 2) -= w.roi.x;
  to_roi(1, 2) -= w.roi.y;
  cv::warpAffine(crop_image, w.image, cv::Mat(to_roi), w.roi.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  cv::warpAffine(mask, w.mask, cv::Mat(to_roi), w.roi.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar(0));
  return w;
}

// Calls blend(canvas pixel, warped pixel, weight) where the weight alpha * mask is positive.
template <typename Pixel, typename Blend>
void blend_under_mask(cv::Mat& canvas, const WarpedBack& w, double alpha, Blend blend) {
  cv::Mat target = canvas(w.roi);
  for (int y = 0; y < w.roi.height; ++y) {
    const float* m = w.mask.ptr<float>(y);
    const Pixel* f = w.image.ptr<Pixel>(y);
    cv::Vec3b* c = target.ptr<cv::Vec3b>(y);
    for (int x = 0; x < w.roi.width; ++x) {
      const double weight = alpha * std::clamp(static_cast<double>(m[x]), 0.0, 1.0);
      if (weight > 0.0) blend(c[x], f[x], weight);
    }
  }
}

}  // namespace

void paste_face(cv::Mat& canvas, const cv::Mat& face, const cv::Matx23d& crop_from_canvas,
                const cv::Mat& mask, double alpha) {
  CV_Assert(canvas.type() == CV_8UC3 && face.type() == CV_8UC3 && mask.type() == CV_32F);
  if (alpha <= 0.0) return;
  const WarpedBack w = warp_back(face, crop_from_canvas, mask, canvas.size());
  if (w.roi.empty()) return;
  blend_under_mask<cv::Vec3b>(canvas, w, alpha, [](cv::Vec3b& c, const cv::Vec3b& f, double weight) {
    for (int k = 0; k < 3; ++k) c[k] = cv::saturate_cast<uchar>(c[k] * (1.0 - weight) + f[k] * weight);
  });
}

void paste_face_change(cv::Mat& canvas, const cv::Mat& face, const cv::Mat& original,
                       const cv::Matx23d& crop_from_canvas, const cv::Mat& mask, double alpha) {
  CV_Assert(canvas.type() == CV_8UC3 && face.type() == CV_8UC3 && original.type() == CV_8UC3 &&
            face.size() == original.size() && mask.type() == CV_32F);
  if (alpha <= 0.0) return;
  cv::Mat change;
  cv::subtract(face, original, change, cv::noArray(), CV_32FC3);
  const WarpedBack w = warp_back(change, crop_from_canvas, mask, canvas.size());
  if (w.roi.empty()) return;
  blend_under_mask<cv::Vec3f>(canvas, w, alpha, [](cv::Vec3b& c, const cv::Vec3f& d, double weight) {
    for (int k = 0; k < 3; ++k) c[k] = cv::saturate_cast<uchar>(c[k] + d[k] * weight);
  });
}

}  // namespace gpen::detail
