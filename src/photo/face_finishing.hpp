#pragma once
// The user's controls (RestoreParams) applied around the model.

#include <opencv2/core.hpp>

#include <string>

#include "gpen/image.hpp"
#include "gpen/params.hpp"

namespace gpen::detail {

/// An aligned face crop as the model takes it: converted to 8-bit BGR and resized (bilinear,
/// as the reference pipeline) to size x size. Throws gpen::Error(InvalidImage) naming `what`
/// for crops under 16x16.
cv::Mat aligned_face_input(const ImageView& face, int size, const std::string& what);

/// What goes into the model: the face itself, or for Mode::Strong its denoised version.
cv::Mat prepare_face(const cv::Mat& face, const RestoreParams& params);

/// Mode finishing of a restored face (Strong: auto levels; Detail: unsharp mask).
cv::Mat finish_restored_face(const cv::Mat& restored, const RestoreParams& params);

/// The colorization task's output: the model's colours under the luminance of `source` (the
/// face as it went in), as the reference does (YUV: Y from `source`, U and V from `colour`;
/// `colour` resized to `source` first if they differ).
cv::Mat with_luminance_of(const cv::Mat& colour, const cv::Mat& source);

/// Whole-image finishing: denoise, then sharpen (each only when > 0).
cv::Mat finish_image(const cv::Mat& image, const RestoreParams& params);

/// The aligned-face result from the model-size input `original` and the model's `restored`
/// face: mode finishing, strength blend, then denoise and sharpen. With default params it
/// returns `restored` unchanged.
cv::Mat finish_aligned_face(const cv::Mat& original, const cv::Mat& restored,
                            const RestoreParams& params);

}  // namespace gpen::detail
