#pragma once
// Pasting restored faces back into the photo under a feathered mask.

#include <opencv2/core.hpp>

namespace gpen::detail {

/// The reference feathered mask for a size x size crop, float in [0, 1]: a rectangle inset by
/// 26 * size / 512 px, blurred twice with a Gaussian of sigma 4 * size / 512.
cv::Mat face_mask(int size);

/// The same feathering for any mask: `inside` (square float, 1 = face, 0 = not) with a border of
/// 26 * size / 512 px cleared, blurred twice with a Gaussian of sigma 4 * size / 512. The parsing
/// mask's paste-back form (face_mask(size) == feathered_mask(all ones)).
cv::Mat feathered_mask(const cv::Mat& inside);

/// The inverse of an invertible affine map.
cv::Matx23d invert_affine(const cv::Matx23d& m);

/// The canvas pixels a size x size crop can touch when warped back by `canvas_from_crop`: the
/// bounding box of its corners, grown by 1 px before and 2 px after, clipped to the canvas.
cv::Rect paste_region(const cv::Matx23d& canvas_from_crop, cv::Size crop, cv::Size canvas);

/// Blends `face` (8-bit BGR crop) into `canvas` (8-bit BGR) where `crop_from_canvas` maps
/// canvas pixels to crop pixels: canvas = canvas * (1 - a*m) + warped_face * a*m, with m the
/// inverse-warped mask and a = alpha in [0, 1]. Only the face's bounding box is touched, so
/// memory stays proportional to the face, not the photo; pixels where m == 0 are unchanged.
void paste_face(cv::Mat& canvas, const cv::Mat& face, const cv::Matx23d& crop_from_canvas,
                const cv::Mat& mask, double alpha);

/// The classic path's paste-back: adds the change a*m*(face - original) to `canvas` instead of
/// replacing pixels, where `original` is the crop as cut from the photo. Only what the
/// enhancement changed moves; the resampling of the crop there and back costs nothing
/// (face == original leaves the canvas exactly as it was).
void paste_face_change(cv::Mat& canvas, const cv::Mat& face, const cv::Mat& original,
                       const cv::Matx23d& crop_from_canvas, const cv::Mat& mask, double alpha);

}  // namespace gpen::detail
