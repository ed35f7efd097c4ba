#include <opencv2/imgproc.hpp>
#include <thread>

#include "gpen/restorer.hpp"
#include "test_support.hpp"

namespace {

const gpen::Restorer& restorer() {
  static const gpen::Restorer r = [] {
    gpen::RestorerOptions o;
    o.model_path = test::model("random-64.pt");
    o.max_batch = 2;
    return gpen::Restorer(o);
  }();
  return r;
}

cv::Mat restore(const cv::Mat& face, const gpen::RestoreParams& params = {}) {
  return test::mat_of(restorer().restore_face(test::view_of(face), params));
}

}  // namespace

TEST_CASE("restorer: output is model-size, 3-channel and deterministic") {
  const cv::Mat face = test::pattern(64, 64, 1);
  const gpen::Image out = restorer().restore_face(test::view_of(face));
  CHECK(out.width() == 64);
  CHECK(out.height() == 64);
  CHECK(out.channels() == 3);
  CHECK(out.order() == gpen::ColorOrder::BGR);
  CHECK(test::max_abs_diff(test::mat_of(out), restore(face)) == 0.0);
  CHECK(test::max_abs_diff(test::mat_of(out), face) > 10.0);  // the model did something
}

TEST_CASE("restorer: faces of other sizes are resized to the model size first") {
  const cv::Mat big = test::pattern(100, 100, 2);
  cv::Mat small;
  cv::resize(big, small, cv::Size(64, 64), 0, 0, cv::INTER_LINEAR);
  CHECK(test::max_abs_diff(restore(big), restore(small)) == 0.0);
}

TEST_CASE("restorer: batches give the same faces as one at a time") {
  std::vector<cv::Mat> faces;
  std::vector<gpen::ImageView> views;
  for (int i = 0; i < 5; ++i) faces.push_back(test::pattern(64, 64, 10 + i));
  for (const cv::Mat& f : faces) views.push_back(test::view_of(f));
  const std::vector<gpen::Image> batch = restorer().restore_faces(views);  // batches of 2, 2, 1
  REQUIRE(batch.size() == 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(test::max_abs_diff(test::mat_of(batch[i]), restore(faces[i])) <= 1.0);
  }
  CHECK(restorer().restore_faces({}).empty());
}

TEST_CASE("restorer: one Restorer serves several threads at once") {
  const cv::Mat face = test::pattern(64, 64, 3);
  const cv::Mat expected = restore(face);
  std::vector<cv::Mat> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] { results[t] = restore(face); });
  }
  for (auto& th : threads) th.join();
  for (const cv::Mat& r : results) CHECK(test::max_abs_diff(r, expected) == 0.0);
}

TEST_CASE("restorer: RGB input gives RGB output") {
  const cv::Mat bgr = test::pattern(64, 64, 4);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  const gpen::Image out = restorer().restore_face(test::view_of(rgb, gpen::ColorOrder::RGB));
  CHECK(out.order() == gpen::ColorOrder::RGB);
  cv::Mat back;
  cv::cvtColor(test::mat_of(out), back, cv::COLOR_RGB2BGR);
  CHECK(test::max_abs_diff(back, restore(bgr)) == 0.0);
}

TEST_CASE("restorer: gray, alpha and 16-bit faces are converted as documented") {
  const cv::Mat bgr = test::pattern(64, 64, 5);
  cv::Mat bgra;
  cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
  CHECK(test::max_abs_diff(restore(bgra), restore(bgr)) == 0.0);
  cv::Mat deep;
  bgr.convertTo(deep, CV_16U, 257.0);
  CHECK(test::max_abs_diff(restore(deep), restore(bgr)) == 0.0);
  cv::Mat gray, gray3;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::cvtColor(gray, gray3, cv::COLOR_GRAY2BGR);
  CHECK(test::max_abs_diff(restore(gray), restore(gray3)) == 0.0);
}

TEST_CASE("restorer: unusable faces are refused with the face's index") {
  const cv::Mat tiny = test::pattern(1, 1);
  CHECK_GPEN_ERROR(restorer().restore_face(test::view_of(tiny)), gpen::ErrorCode::InvalidImage,
                   "aligned face #0 is 1x1; aligned faces must be at least 16x16");
  gpen::ImageView empty;
  const cv::Mat ok = test::pattern(64, 64);
  CHECK_GPEN_ERROR(restorer().restore_faces({test::view_of(ok), empty}), gpen::ErrorCode::InvalidImage,
                   "aligned face #1: image has no pixel data");
  gpen::RestoreParams bad;
  bad.strength = -5.0f;
  CHECK_GPEN_ERROR(restorer().restore_face(test::view_of(ok), bad), gpen::ErrorCode::InvalidArgument,
                   "strength must be in 0-100, got -5");
}

TEST_CASE("controls: strength 0 returns the (resized) input face exactly") {
  const cv::Mat face = test::pattern(64, 64, 6);
  gpen::RestoreParams p;
  p.strength = 0.0f;
  CHECK(test::max_abs_diff(restore(face, p), face) == 0.0);
}

TEST_CASE("controls: strength 50 lies halfway between input and restored face") {
  const cv::Mat face = test::pattern(64, 64, 7);
  const cv::Mat full = restore(face);
  gpen::RestoreParams p;
  p.strength = 50.0f;
  const cv::Mat half = restore(face, p);
  cv::Mat expected;
  cv::addWeighted(face, 0.5, full, 0.5, 0.0, expected);
  CHECK(test::max_abs_diff(half, expected) <= 1.0);
}

TEST_CASE("controls: sharpen raises and denoise lowers high-frequency energy") {
  const cv::Mat face = test::pattern(64, 64, 8);
  const double base = test::laplacian_energy(restore(face));
  gpen::RestoreParams sharp;
  sharp.sharpen = 80.0f;
  gpen::RestoreParams smooth;
  smooth.denoise = 80.0f;
  CHECK(test::laplacian_energy(restore(face, sharp)) > 1.5 * base);
  CHECK(test::laplacian_energy(restore(face, smooth)) < 0.8 * base);
}

TEST_CASE("controls: detail mode adds high frequencies, strong mode stretches levels") {
  const cv::Mat face = test::pattern(64, 64, 9);
  const cv::Mat natural = restore(face);
  gpen::RestoreParams detail;
  detail.mode = gpen::Mode::Detail;
  CHECK(test::laplacian_energy(restore(face, detail)) > 1.2 * test::laplacian_energy(natural));
  gpen::RestoreParams strong;
  strong.mode = gpen::Mode::Strong;
  const cv::Mat stretched = restore(face, strong);
  // Levels are stretched per channel: each channel spans (nearly) the full 0-255 range.
  std::vector<cv::Mat> planes;
  cv::split(stretched, planes);
  for (const cv::Mat& plane : planes) {
    double lo = 0, hi = 0;
    cv::minMaxLoc(plane, &lo, &hi);
    CHECK(lo <= 5.0);
    CHECK(hi >= 250.0);
  }
}
