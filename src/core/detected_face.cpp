#include "core/detected_face.hpp"

#include <cmath>

namespace gpen::detail {

bool is_usable(const DetectedFace& face) {
  const Box& b = face.box;
  if (!std::isfinite(b.x) || !std::isfinite(b.y) || !(b.width > 0.0f) || !(b.height > 0.0f) ||
      !std::isfinite(b.width) || !std::isfinite(b.height)) {
    return false;
  }
  for (const Point& p : face.landmarks) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) return false;
  }
  return true;
}

}  // namespace gpen::detail
