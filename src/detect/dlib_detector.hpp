#pragma once
// dlib's HOG frontal face detector + 68-point shape predictor, reduced to GPEN's 5 points.

#include <memory>
#include <string>

#include "gpen/detector.hpp"

namespace gpen::detail {

/// Default location of the landmark model (Debian package libdlib-data); overridden by the
/// environment variable GPEN_DLIB_LANDMARKS.
std::string dlib_landmarks_path();

/// Throws gpen::Error(FileNotFound) when the landmark model is missing.
std::unique_ptr<FaceDetector> make_dlib_detector(const std::string& landmarks_path);

}  // namespace gpen::detail
