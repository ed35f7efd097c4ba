#pragma once
// What Restorer::restore returns: the restored photo and what was done to each face.

#include <array>
#include <vector>

#include "gpen/face.hpp"
#include "gpen/image.hpp"

namespace gpen {

struct FaceResult {
  DetectedFace detection;  ///< box, score and landmarks in input-photo coordinates
  /// Row-major 2x3 similarity transform from input-photo to aligned-crop pixel coordinates.
  std::array<double, 6> affine{};
  Image aligned;   ///< the aligned crop that went into the model (model size, BGR)
  Image restored;  ///< the model's (mode-finished) face, before blending (model size, BGR)
  /// With a face parser (RestorerOptions::parser): the mask the face was pasted back under, in
  /// crop coordinates (model size, one 8-bit channel, 255 = restored face). Empty otherwise.
  Image mask;
};

struct Result {
  Image image;  ///< same channels and order as the input, size x upscale
  std::vector<FaceResult> faces;
};

}  // namespace gpen
