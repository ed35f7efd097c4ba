#pragma once
// Geometry of detected faces, in the pixel coordinates of the photo they were found in.

#include <array>

namespace gpen {

struct Point {
  float x = 0.0f;
  float y = 0.0f;
};

struct Box {
  float x = 0.0f;  ///< left
  float y = 0.0f;  ///< top
  float width = 0.0f;
  float height = 0.0f;
};

/// The five landmarks GPEN aligns on, in this order: left eye centre, right eye centre, nose
/// tip, left mouth corner, right mouth corner ("left" = smaller x in an upright face).
using Landmarks = std::array<Point, 5>;

struct DetectedFace {
  Box box;
  float score = 0.0f;  ///< detector confidence; higher is surer (scale depends on the detector)
  Landmarks landmarks;
};

}  // namespace gpen
