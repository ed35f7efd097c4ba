#pragma once
// Classic image operations used by the user controls (and by the model-free path).
// All take and return 8-bit BGR cv::Mat and never modify their input.

#include <opencv2/core.hpp>

namespace gpen::detail {

/// Edge-preserving denoise (bilateral filter). amount 0-100; 0 returns a copy.
cv::Mat denoise(const cv::Mat& bgr, float amount);

/// Unsharp mask: src + amount * (src - gaussian(src, sigma)).
cv::Mat unsharp_mask(const cv::Mat& bgr, double amount, double sigma);

/// Sharpen control 0-100: unsharp mask with amount 1.5 * value / 100, sigma 1 px.
cv::Mat sharpen(const cv::Mat& bgr, float amount);

/// Per-channel levels stretch mapping the `low` and `high` percentiles (0-100) to 0 and 255:
/// undoes fading and colour casts.
cv::Mat auto_levels(const cv::Mat& bgr, double low, double high);

/// (1 - t) * a + t * b, rounded; t in [0, 1].
cv::Mat blend(const cv::Mat& a, const cv::Mat& b, double t);

}  // namespace gpen::detail

namespace gpen::detail {

/// Gray-world white balance: scales channels towards equal means; `strength` 0-1 blends
/// between the input (0) and the fully balanced image (1).
cv::Mat gray_world_balance(const cv::Mat& bgr, double strength);

/// CLAHE on the L channel of Lab (local contrast), `clip` limit, `tiles` x `tiles` grid.
cv::Mat local_contrast(const cv::Mat& bgr, double clip, int tiles);

}  // namespace gpen::detail
