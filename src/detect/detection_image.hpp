#pragma once
// The working image of a detector: the photo resized by the factor the detector wants (to find
// faces down to the requested size), capped so its long side stays within max_side.

#include <opencv2/core.hpp>

namespace gpen::detail {

/// Resizes `image` by `wanted` (bilinear up, area down), capped at `max_side` (<= 0: no cap).
/// `scale` receives the factor used.
cv::Mat detection_image(const cv::Mat& image, double wanted, int max_side, double& scale);

}  // namespace gpen::detail
