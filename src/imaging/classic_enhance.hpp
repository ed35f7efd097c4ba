#pragma once
// The classic (model-free) face enhancement: measured, careful, never worse than its input.
// It estimates the crop's noise and removes only noise that is there, keeping colour and
// detail. It does not sharpen: on the FFHQ validation pairs (blurred, compressed) every
// sharpening tried lowered SSIM against the clean originals, however soft the crop
// (docs/benchmarks.md); sharpening stays the user's `sharpen` control.

#include <opencv2/core.hpp>

namespace gpen::detail {

/// Standard deviation of the additive noise of an 8-bit gray image, in levels (Immerkaer's
/// Laplacian-difference estimator over the image's flattest half, so edges do not count).
double estimate_noise(const cv::Mat& gray);

/// The classic enhancement of an 8-bit BGR face crop:
///  - non-local-means denoise, strength from estimate_noise, when the noise is visible (sigma
///    over 2 levels), and a light bilateral pass for grain (over 1 level);
///  - chroma blotches smoothed only when the chroma planes are noisy; no white-balance shift;
///  - worked in floating point, rounded once.
/// A clean crop comes back unchanged.
cv::Mat careful_enhance(const cv::Mat& bgr);

}  // namespace gpen::detail
