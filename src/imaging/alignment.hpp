#pragma once
// 5-point face alignment: the reference template, the least-squares similarity transform
// (Umeyama) onto it, and the warp into an aligned crop.

#include <array>
#include <opencv2/core.hpp>

#include "gpen/face.hpp"

namespace gpen::detail {

/// The reference pipeline's template for a size x size crop (inner padding factor 0.25,
/// outer padding 0, square): the classic 96x112 five-point layout shifted by (36, 28) and
/// scaled by size / 168.
std::array<cv::Point2d, 5> face_template(int size);

/// Least-squares similarity (rotation, uniform scale, translation) mapping `from` onto `to`
/// (Umeyama 1991), as a 2x3 matrix: to ~= M * [from; 1].
cv::Matx23d similarity_transform(const std::array<cv::Point2d, 5>& from,
                                 const std::array<cv::Point2d, 5>& to);

/// Transform from photo coordinates to the aligned crop of `size` for these landmarks.
cv::Matx23d alignment_transform(const Landmarks& landmarks, int size);

/// The aligned crop: Lanczos warp of `image` by `crop_from_image`, black outside the photo.
cv::Mat warp_face(const cv::Mat& image, const cv::Matx23d& crop_from_image, int size);

}  // namespace gpen::detail
