#include "photo/face_selection.hpp"

#include "core/detected_face.hpp"

#include <algorithm>
#include <cmath>

namespace gpen::detail {

std::vector<DetectedFace> select_faces(std::vector<DetectedFace> faces, const RestoreParams& params,
                                       cv::Size photo) {
  faces.erase(std::remove_if(faces.begin(), faces.end(),
                             [&](const DetectedFace& f) {
                               return !is_usable(f) || f.box.width < params.min_face_size;
                             }),
              faces.end());
  if (params.only_center_face && faces.size() > 1) {
    const double cx = photo.width / 2.0, cy = photo.height / 2.0;
    auto distance = [&](const DetectedFace& f) {
      return std::hypot(f.box.x + f.box.width / 2.0 - cx, f.box.y + f.box.height / 2.0 - cy);
    };
    const auto nearest = std::min_element(faces.begin(), faces.end(), [&](const auto& a, const auto& b) {
      return distance(a) < distance(b);
    });
    faces = {*nearest};
  }
  if (params.max_faces > 0 && static_cast<int>(faces.size()) > params.max_faces) {
    std::stable_sort(faces.begin(), faces.end(), [](const DetectedFace& a, const DetectedFace& b) {
      return a.box.width * a.box.height > b.box.width * b.box.height;
    });
    faces.resize(static_cast<std::size_t>(params.max_faces));
  }
  std::stable_sort(faces.begin(), faces.end(), [](const DetectedFace& a, const DetectedFace& b) {
    return a.box.x != b.box.x ? a.box.x < b.box.x : a.box.y < b.box.y;
  });
  return faces;
}

}  // namespace gpen::detail
