#pragma once
// A FaceDetector that returns faces given in advance (tests of the photo pipeline that must
// not depend on what a real detector finds).

#include "imaging/alignment.hpp"
#include "gpen/detector.hpp"

namespace test {

class FakeDetector : public gpen::FaceDetector {
 public:
  explicit FakeDetector(std::vector<gpen::DetectedFace> faces) : faces_(std::move(faces)) {}
  std::vector<gpen::DetectedFace> detect(const gpen::ImageView&, float, int) const override {
    return faces_;
  }
  std::string name() const override { return "fake"; }

 private:
  std::vector<gpen::DetectedFace> faces_;
};

/// A face whose landmarks are the 512 template scaled by `scale` and moved to (x, y).
inline gpen::DetectedFace face_at(float x, float y, float scale) {
  gpen::DetectedFace f;
  const auto t = gpen::detail::face_template(512);
  for (int i = 0; i < 5; ++i) {
    f.landmarks[i] = {static_cast<float>(x + t[i].x * scale), static_cast<float>(y + t[i].y * scale)};
  }
  f.box = {x + 150 * scale, y + 150 * scale, 212 * scale, 260 * scale};
  f.score = 1.0f;
  return f;
}

}  // namespace test
