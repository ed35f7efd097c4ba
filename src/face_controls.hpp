#pragma once
// The user's controls (RestoreParams) applied around the model for one aligned face.

#include <opencv2/core.hpp>

#include "gpen/params.hpp"

namespace gpen::detail {

/// What goes into the model: the face itself, or for Mode::Strong its denoised version.
cv::Mat prepare_face(const cv::Mat& face, const RestoreParams& params);

/// The final face from the model-size input `original` and the model's `restored` face:
/// mode finishing (Strong: auto levels; Detail: unsharp mask), strength blend, then the
/// denoise and sharpen controls. With default params it returns `restored` unchanged.
cv::Mat finish_face(const cv::Mat& original, const cv::Mat& restored, const RestoreParams& params);

}  // namespace gpen::detail
