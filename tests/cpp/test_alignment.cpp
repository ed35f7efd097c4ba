#include <cmath>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "imaging/alignment.hpp"
#include "test_support.hpp"

using gpen::detail::face_template;

TEST_CASE("alignment: the template equals the reference pipeline's 5 points") {
  const std::string path = test::shared_dir() + "/fixtures/alignment/reference_5points.json";
  if (!test::available(path)) return;
  cv::FileStorage fs(path, cv::FileStorage::READ | cv::FileStorage::FORMAT_JSON);
  for (int size : {256, 512, 1024}) {
    const cv::FileNode pts = fs["points"][std::to_string(size)];
    REQUIRE(pts.size() == 5);
    const auto ours = face_template(size);
    for (int i = 0; i < 5; ++i) {
      CHECK(ours[i].x == doctest::Approx(static_cast<double>(pts[i][0])).epsilon(1e-6));
      CHECK(ours[i].y == doctest::Approx(static_cast<double>(pts[i][1])).epsilon(1e-6));
    }
  }
}

TEST_CASE("alignment: Umeyama recovers an exact similarity transform") {
  const auto to = face_template(512);
  const double angle = 0.3, scale = 0.4, tx = 120.0, ty = -35.0;
  std::array<cv::Point2d, 5> from;
  // from = inverse of (to = s R from + t)
  for (int i = 0; i < 5; ++i) {
    const double x = to[i].x - tx, y = to[i].y - ty;
    from[i] = {(std::cos(angle) * x + std::sin(angle) * y) / scale,
               (-std::sin(angle) * x + std::cos(angle) * y) / scale};
  }
  const cv::Matx23d m = gpen::detail::similarity_transform(from, to);
  CHECK(m(0, 0) == doctest::Approx(scale * std::cos(angle)).epsilon(1e-9));
  CHECK(m(1, 0) == doctest::Approx(scale * std::sin(angle)).epsilon(1e-9));
  CHECK(m(0, 2) == doctest::Approx(tx).epsilon(1e-9));
  CHECK(m(1, 2) == doctest::Approx(ty).epsilon(1e-9));
}

TEST_CASE("alignment: warping a synthetic photo puts its landmarks on the template within 0.5 px") {
  // Five bright blobs at a rotated, scaled, shifted copy of the template.
  const auto t = face_template(512);
  const double angle = -0.25, scale = 0.21, ox = 140.0, oy = 90.0;
  gpen::Landmarks marks;
  cv::Mat photo(400, 400, CV_8UC3, cv::Scalar::all(0));
  for (int i = 0; i < 5; ++i) {
    const double x = ox + scale * (std::cos(angle) * t[i].x - std::sin(angle) * t[i].y);
    const double y = oy + scale * (std::sin(angle) * t[i].x + std::cos(angle) * t[i].y);
    marks[i] = {static_cast<float>(x), static_cast<float>(y)};
    for (int py = 0; py < photo.rows; ++py) {
      for (int px = 0; px < photo.cols; ++px) {
        const double d2 = (px - x) * (px - x) + (py - y) * (py - y);
        if (d2 < 25.0) photo.at<cv::Vec3b>(py, px) += cv::Vec3b::all(static_cast<uchar>(250 * std::exp(-d2 / 2.0)));
      }
    }
  }
  const cv::Matx23d m = gpen::detail::alignment_transform(marks, 512);
  const cv::Mat crop = gpen::detail::warp_face(photo, m, 512);
  cv::Mat gray;
  cv::cvtColor(crop, gray, cv::COLOR_BGR2GRAY);
  for (int i = 0; i < 5; ++i) {
    // Intensity-weighted centroid in a window around the template point.
    const cv::Rect win(static_cast<int>(t[i].x) - 20, static_cast<int>(t[i].y) - 20, 41, 41);
    const cv::Moments mo = cv::moments(gray(win));
    REQUIRE(mo.m00 > 0);
    const double cx = win.x + mo.m10 / mo.m00, cy = win.y + mo.m01 / mo.m00;
    CHECK(std::hypot(cx - t[i].x, cy - t[i].y) < 0.5);
  }
}
