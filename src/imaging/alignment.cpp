#include "imaging/alignment.hpp"

#include <Eigen/Geometry>
#include <opencv2/imgproc.hpp>

namespace gpen::detail {

std::array<cv::Point2d, 5> face_template(int size) {
  // Five points of the classic 96x112 aligned-face layout (eyes, nose tip, mouth corners).
  static const double base[5][2] = {{30.29459953, 51.69630051},
                                    {65.53179932, 51.50139999},
                                    {48.02519989, 71.73660278},
                                    {33.54930115, 92.3655014},
                                    {62.72990036, 92.20410156}};
  // Made square (x + 8, 112x112), then padded by 0.25 on each side (+28, 168x168).
  const double scale = size / 168.0;
  std::array<cv::Point2d, 5> pts;
  for (int i = 0; i < 5; ++i) pts[i] = {(base[i][0] + 36.0) * scale, (base[i][1] + 28.0) * scale};
  return pts;
}

cv::Matx23d similarity_transform(const std::array<cv::Point2d, 5>& from,
                                 const std::array<cv::Point2d, 5>& to) {
  Eigen::Matrix<double, 2, 5> src, dst;
  for (int i = 0; i < 5; ++i) {
    src(0, i) = from[i].x;
    src(1, i) = from[i].y;
    dst(0, i) = to[i].x;
    dst(1, i) = to[i].y;
  }
  const Eigen::Matrix3d t = Eigen::umeyama(src, dst, true);
  return cv::Matx23d(t(0, 0), t(0, 1), t(0, 2), t(1, 0), t(1, 1), t(1, 2));
}

cv::Matx23d alignment_transform(const Landmarks& landmarks, int size) {
  std::array<cv::Point2d, 5> from;
  for (int i = 0; i < 5; ++i) from[i] = {landmarks[i].x, landmarks[i].y};
  return similarity_transform(from, face_template(size));
}

cv::Mat warp_face(const cv::Mat& image, const cv::Matx23d& crop_from_image, int size) {
  cv::Mat crop;
  // Lanczos rather than the reference's bilinear: small faces are upsampled several times
  // into the crop, and bilinear creases make the crop -> photo round trip lose up to 7 levels
  // on sharp edges (Lanczos: 2).
  cv::warpAffine(image, crop, cv::Mat(crop_from_image), cv::Size(size, size), cv::INTER_LANCZOS4,
                 cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return crop;
}

}  // namespace gpen::detail
