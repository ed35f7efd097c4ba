#include <cmath>

#include "detect/retinaface_decode.hpp"
#include "test_support.hpp"

using namespace gpen::detail;

TEST_CASE("retinaface: priors are cell-major, one per min size, normalised") {
  const RetinaFaceConfig cfg;
  const std::vector<Prior> p = retinaface_priors(64, 96, cfg);
  CHECK(p.size() == 8 * 12 * 2 + 4 * 6 * 2 + 2 * 3 * 2);
  CHECK(p[0].cx == doctest::Approx(4.0 / 96));
  CHECK(p[0].cy == doctest::Approx(4.0 / 64));
  CHECK(p[0].w == doctest::Approx(16.0 / 96));
  CHECK(p[1].w == doctest::Approx(32.0 / 96));  // same cell, next min size
  CHECK(p[1].cx == p[0].cx);
  CHECK(p[2].cx == doctest::Approx(12.0 / 96));  // next cell
  const Prior& last = p.back();
  CHECK(last.cx == doctest::Approx(80.0 / 96));  // step 32, column 2: (2 + 0.5) * 32
  CHECK(last.w == doctest::Approx(512.0 / 96));
  // Sizes that are not multiples of the steps round the grid up.
  CHECK(retinaface_priors(65, 96, cfg).size() == 9 * 12 * 2 + 5 * 6 * 2 + 3 * 3 * 2);
}

TEST_CASE("retinaface: priors match the parity fixture") {
  const std::string dir = test::shared_dir() + "/fixtures/retinaface/parity-mobilenet0.25/";
  if (!test::available(dir + "priors.npy")) return;
  std::vector<long> shape, in_shape;
  const std::vector<float> expected = test::read_npy(dir + "priors.npy", shape);
  test::read_npy(dir + "input_tensor.npy", in_shape);
  const auto ours = retinaface_priors(static_cast<int>(in_shape[2]), static_cast<int>(in_shape[3]), {});
  REQUIRE(static_cast<long>(ours.size()) == shape[0]);
  double worst = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    worst = std::max({worst, double(std::abs(ours[i].cx - expected[4 * i])), double(std::abs(ours[i].cy - expected[4 * i + 1])),
                      double(std::abs(ours[i].w - expected[4 * i + 2])), double(std::abs(ours[i].h - expected[4 * i + 3]))});
  }
  CHECK(worst < 1e-6);
}

TEST_CASE("retinaface: decoding constructed outputs") {
  const RetinaFaceConfig cfg;
  const std::vector<Prior> priors = {{0.5f, 0.5f, 0.1f, 0.2f}, {0.2f, 0.2f, 0.1f, 0.1f}};
  // Prior 0: shift centre by +1 * 0.1 * w in x, double the width (exp(d * 0.2) = 2).
  std::vector<float> loc = {1.0f, 0.0f, static_cast<float>(std::log(2.0) / 0.2), 0.0f, 0, 0, 0, 0};
  std::vector<float> conf = {0.05f, 0.95f, 0.5f, 0.5f};  // prior 1 is below the threshold
  std::vector<float> landms(20, 0.0f);
  landms[0] = 2.0f;  // left eye: +2 * 0.1 * w in x
  const auto faces = decode_retinaface(loc.data(), conf.data(), landms.data(), priors, 200, 100, cfg, 0.9f, 0.4f);
  REQUIRE(faces.size() == 1);
  const gpen::DetectedFace& f = faces[0];
  const float cx = (0.5f + 0.1f * 0.1f) * 200;  // 102
  CHECK(f.box.width == doctest::Approx(0.2 * 200));
  CHECK(f.box.height == doctest::Approx(0.2 * 100));
  CHECK(f.box.x == doctest::Approx(cx - 20));
  CHECK(f.box.y == doctest::Approx(50 - 10));
  CHECK(f.score == doctest::Approx(0.95));
  CHECK(f.landmarks[0].x == doctest::Approx((0.5 + 2 * 0.1 * 0.1) * 200));
  CHECK(f.landmarks[0].y == doctest::Approx(50));
  CHECK(f.landmarks[4].x == doctest::Approx(100));
}

TEST_CASE("retinaface: non-finite outputs of a broken model are dropped, not decoded") {
  const RetinaFaceConfig cfg;
  const std::vector<Prior> priors = {{0.5f, 0.5f, 0.1f, 0.1f}, {0.2f, 0.2f, 0.1f, 0.1f}};
  std::vector<float> loc = {0, 0, 1e6f, 0, 0, 0, 0, 0};  // exp(2e5) = inf
  std::vector<float> conf = {0.0f, 1.0f, 0.0f, 1.0f};
  std::vector<float> landms(20, 0.0f);
  landms[10] = std::nanf("");
  CHECK(decode_retinaface(loc.data(), conf.data(), landms.data(), priors, 100, 100, cfg, 0.9f, 0.4f).empty());
}

TEST_CASE("retinaface: NMS keeps the best of overlapping boxes and every separate one") {
  const std::vector<gpen::Box> boxes = {{0, 0, 10, 10}, {1, 1, 10, 10}, {50, 50, 10, 10}, {0, 0, 10, 20}};
  const std::vector<float> scores = {0.8f, 0.9f, 0.7f, 0.6f};
  const std::vector<int> keep = non_max_suppression(boxes, scores, 0.4f);
  // Box 1 (0.9) suppresses 0 (IoU 0.68); box 3 overlaps box 1 with IoU 0.43 -> suppressed too.
  REQUIRE(keep.size() == 2);
  CHECK(keep[0] == 1);
  CHECK(keep[1] == 2);
}
