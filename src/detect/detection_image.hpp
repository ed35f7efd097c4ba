#pragma once
// The working image of a detector: the photo resized by the factor the detector wants (to find
// faces down to the requested size), capped so its long side stays within max_side.

#include <opencv2/core.hpp>

namespace gpen::detail {

/// At most this many pixels are searched: a 1024x1024 selfie at the 2.5x that 32-px faces need
/// (6.6 MP) and the Solvay photo (4.7 MP, all 29 faces) fit; a 12 MP phone photo is searched at
/// 7 MP (faces from ~105 px) in 0.5 s instead of 1.7 s at 27 MP (docs/benchmarks.md).
constexpr double kMaxDetectionPixels = 7.0e6;

/// Resizes `image` by `wanted` (bilinear up, area down), capped at `max_side` (<= 0: no cap) and
/// at kMaxDetectionPixels.
/// `scale` receives the factor used.
cv::Mat detection_image(const cv::Mat& image, double wanted, int max_side, double& scale);

}  // namespace gpen::detail
