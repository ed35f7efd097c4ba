#pragma once
// Which detected faces get restored: min size, only the centre one, at most N.

#include <opencv2/core.hpp>
#include <vector>

#include "gpen/face.hpp"
#include "gpen/params.hpp"

namespace gpen::detail {

/// Drops unusable faces (core/detected_face.hpp), then applies params.min_face_size, only_center_face (nearest box centre to the photo centre)
/// and max_faces (largest boxes first); returns the faces ordered left to right, then top to
/// bottom.
std::vector<DetectedFace> select_faces(std::vector<DetectedFace> faces, const RestoreParams& params,
                                       cv::Size photo);

}  // namespace gpen::detail
