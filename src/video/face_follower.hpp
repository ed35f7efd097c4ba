#pragma once
// Faces followed between the frames searched for faces (VideoOptions::detect_every > 1): the
// landmarks of each face are carried from the previous frame to the current one by pyramidal
// Lucas-Kanade optical flow (OpenCV), checked backwards (a point that does not flow back to
// within a pixel of where it came from is lost), and the box moved and scaled with them. A face
// with a lost landmark is dropped until the next search finds it again.

#include <vector>

#include <opencv2/core.hpp>

#include "gpen/face.hpp"
#include "gpen/image.hpp"

namespace gpen::detail {

class FaceFollower {
 public:
  /// The faces of `frame` (8-bit BGR) as a search found them.
  void found(const Image& frame, const std::vector<DetectedFace>& faces);
  /// The faces of the last frame, followed into `frame`.
  std::vector<DetectedFace> follow(const Image& frame);

 private:
  static cv::Mat gray_of(const Image& frame);

  cv::Mat previous_;
  std::vector<DetectedFace> faces_;
};

}  // namespace gpen::detail
