// The whole-photo path: detection, alignment, paste-back, controls.

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "imaging/alignment.hpp"
#include "photo/face_selection.hpp"
#include "fake_detector.hpp"
#include "gpen/io.hpp"
#include "gpen/restorer.hpp"
#include "imaging/paste_back.hpp"
#include "test_support.hpp"

namespace {

std::string solvay() { return test::shared_dir() + "/data/solvay_conference_1927.png"; }

gpen::RestorerOptions with_model(const std::string& name) {
  gpen::RestorerOptions o;
  o.model_path = name.empty() ? "" : test::model(name);
  return o;
}

gpen::Restorer fake_restorer(const std::string& model, std::vector<gpen::DetectedFace> faces) {
  return gpen::Restorer(with_model(model), std::make_unique<test::FakeDetector>(std::move(faces)));
}

// Union of the pasted-face masks of a result, in photo coordinates (> 0 where a face may change).
cv::Mat union_of_masks(const gpen::Result& r, cv::Size photo, int size) {
  const cv::Mat mask = gpen::detail::face_mask(size);
  cv::Mat all = cv::Mat::zeros(photo, CV_32F);
  for (const gpen::FaceResult& f : r.faces) {
    const cv::Matx23d m(f.affine[0], f.affine[1], f.affine[2], f.affine[3], f.affine[4], f.affine[5]);
    cv::Mat inv, warped;
    cv::invertAffineTransform(cv::Mat(m), inv);
    cv::warpAffine(mask, warped, inv, photo, cv::INTER_LINEAR, cv::BORDER_CONSTANT);
    all = cv::max(all, warped);
  }
  return all;
}

}  // namespace

TEST_CASE("photo: the default detector finds at least 25 faces in the 1927 Solvay photograph") {
  if (!test::available(solvay())) return;
  const gpen::Restorer r(with_model(""));
  const gpen::Image photo = gpen::read_image(solvay());
  const std::vector<gpen::DetectedFace> faces = r.detect(photo.view());
  MESSAGE(faces.size() << " faces found");
  CHECK(faces.size() >= 25);
  for (const auto& f : faces) {
    CHECK(f.box.width >= 32.0f);
    // Eyes above the mouth, left eye left of the right eye.
    CHECK(f.landmarks[0].x < f.landmarks[1].x);
    CHECK(f.landmarks[0].y < f.landmarks[3].y);
  }
}

TEST_CASE("photo: strength 0, denoise 0, sharpen 0 returns the photo byte for byte") {
  if (!test::available(solvay())) return;
  const gpen::Restorer r(with_model("random-64.pt"));
  const gpen::Image photo = gpen::read_image(solvay());
  gpen::RestoreParams p;
  p.strength = 0.0f;
  const gpen::Result result = r.restore(photo.view(), p);
  CHECK(result.faces.size() >= 25);
  REQUIRE(result.image.size_bytes() == photo.size_bytes());
  CHECK(std::equal(photo.data(), photo.data() + photo.size_bytes(), result.image.data()));
}

TEST_CASE("photo: with a model that returns its input, paste-back is geometrically exact") {
  if (!test::available(solvay())) return;
  const gpen::Restorer r(with_model("identity-512.pt"));
  const gpen::Image photo = gpen::read_image(solvay());
  const gpen::Result result = r.restore(photo.view());
  REQUIRE(result.faces.size() >= 25);
  REQUIRE(result.image.channels() == photo.channels());
  const cv::Mat in = test::bgr_of(photo), out = test::bgr_of(result.image);
  const cv::Mat masks = union_of_masks(result, in.size(), 512);
  double outside = 0.0, inside = 0.0;
  long inside_pixels = 0;
  for (int y = 0; y < in.rows; ++y) {
    for (int x = 0; x < in.cols; ++x) {
      const cv::Vec3b a = in.at<cv::Vec3b>(y, x), b = out.at<cv::Vec3b>(y, x);
      double d = 0;
      for (int k = 0; k < 3; ++k) d = std::max(d, std::abs(double(a[k]) - double(b[k])));
      if (masks.at<float>(y, x) > 0.0f) {
        inside = std::max(inside, d);
        ++inside_pixels;
      } else {
        outside = std::max(outside, d);
      }
    }
  }
  MESSAGE("max |diff| inside masks " << inside << " over " << inside_pixels << " px; outside " << outside);
  CHECK(inside_pixels > 20000);
  CHECK(outside == 0.0);
  CHECK(inside <= 2.0);
}

TEST_CASE("photo: no faces found: the photo comes back, with only the photo-wide controls") {
  const gpen::Restorer r = fake_restorer("random-64.pt", {});
  const cv::Mat photo = test::pattern(120, 80, 2);
  const gpen::Result plain = r.restore(test::view_of(photo));
  CHECK(plain.faces.empty());
  CHECK(test::max_abs_diff(test::mat_of(plain.image), photo) == 0.0);
  gpen::RestoreParams p;
  p.sharpen = 50.0f;
  const gpen::Result sharpened = r.restore(test::view_of(photo), p);
  CHECK(sharpened.faces.empty());
  CHECK(test::max_abs_diff(test::mat_of(sharpened.image), photo) > 0.0);
}

TEST_CASE("photo: the real dlib detector on a photo without faces finds none") {
  const gpen::Restorer r(with_model(""));
  const cv::Mat photo = test::pattern(300, 200, 3);
  CHECK(r.restore(test::view_of(photo)).faces.empty());
}

TEST_CASE("photo: result carries crops and the transform that aligns each face") {
  const gpen::Restorer r = fake_restorer("random-64.pt", {test::face_at(40, 30, 0.25f)});
  const cv::Mat photo = test::pattern(260, 220, 4);
  const gpen::Result result = r.restore(test::view_of(photo));
  REQUIRE(result.faces.size() == 1);
  const gpen::FaceResult& f = result.faces[0];
  CHECK(f.aligned.width() == 64);
  CHECK(f.restored.width() == 64);
  const auto t = gpen::detail::face_template(64);
  for (int i = 0; i < 5; ++i) {
    const gpen::Point p = f.detection.landmarks[i];
    const double x = f.affine[0] * p.x + f.affine[1] * p.y + f.affine[2];
    const double y = f.affine[3] * p.x + f.affine[4] * p.y + f.affine[5];
    CHECK(std::hypot(x - t[i].x, y - t[i].y) < 1e-3);
  }
  CHECK(test::max_abs_diff(test::mat_of(result.image), photo) > 10.0);  // the face was pasted
}

TEST_CASE("photo: upscale multiplies the size and keeps faces where they belong") {
  const gpen::Restorer r = fake_restorer("identity-512.pt", {test::face_at(30, 20, 0.3f)});
  const cv::Mat photo = test::smooth_pattern(240, 200, 5);
  gpen::RestoreParams p;
  p.upscale = 2;
  const gpen::Result result = r.restore(test::view_of(photo), p);
  CHECK(result.image.width() == 480);
  CHECK(result.image.height() == 400);
  // With an identity model the upscaled photo with faces pasted equals the Lanczos-upscaled
  // photo within interpolation error (the face took another path: photo -> crop -> 2x canvas).
  cv::Mat expected;
  cv::resize(photo, expected, cv::Size(480, 400), 0, 0, cv::INTER_LANCZOS4);
  CHECK(test::max_abs_diff(test::mat_of(result.image), expected) <= 4.0);
}

TEST_CASE("photo: sharpen raises and denoise lowers high-frequency energy of the whole photo") {
  const gpen::Restorer r = fake_restorer("random-64.pt", {});
  cv::Mat noisy(160, 160, CV_8UC3, cv::Scalar(128, 128, 128));
  cv::Mat noise(noisy.size(), CV_16SC3);
  cv::theRNG().state = 7;
  cv::randn(noise, 0, 12);
  noisy.convertTo(noisy, CV_16SC3);
  noisy += noise;
  noisy.convertTo(noisy, CV_8UC3);
  const double base = test::laplacian_energy(noisy);
  gpen::RestoreParams sharp, smooth;
  sharp.sharpen = 60.0f;
  smooth.denoise = 60.0f;
  CHECK(test::laplacian_energy(test::mat_of(r.restore(test::view_of(noisy), sharp).image)) > 1.5 * base);
  const cv::Mat denoised = test::mat_of(r.restore(test::view_of(noisy), smooth).image);
  cv::Scalar m0, s0, m1, s1;
  cv::meanStdDev(noisy, m0, s0);
  cv::meanStdDev(denoised, m1, s1);
  MESSAGE("noise sigma " << s0[0] << " -> " << s1[0]);
  CHECK(s1[0] < 0.7 * s0[0]);
}

TEST_CASE("photo: alpha is kept, gray stays gray, and both are untouched at strength 0") {
  const gpen::Restorer r = fake_restorer("random-64.pt", {test::face_at(20, 20, 0.2f)});
  cv::Mat bgra;
  cv::cvtColor(test::pattern(180, 160, 6), bgra, cv::COLOR_BGR2BGRA);
  for (int y = 0; y < bgra.rows; ++y) {
    for (int x = 0; x < bgra.cols; ++x) bgra.at<cv::Vec4b>(y, x)[3] = static_cast<uchar>(x + y);
  }
  const gpen::Result rgba = r.restore(test::view_of(bgra));
  REQUIRE(rgba.image.channels() == 4);
  std::vector<cv::Mat> in_planes, out_planes;
  cv::split(bgra, in_planes);
  cv::split(test::mat_of(rgba.image), out_planes);
  CHECK(test::max_abs_diff(in_planes[3], out_planes[3]) == 0.0);
  CHECK(test::max_abs_diff(in_planes[0], out_planes[0]) > 0.0);

  cv::Mat gray;
  cv::cvtColor(test::pattern(180, 160, 7), gray, cv::COLOR_BGR2GRAY);
  gpen::RestoreParams zero;
  zero.strength = 0.0f;
  const gpen::Result g = r.restore(test::view_of(gray), zero);
  REQUIRE(g.image.channels() == 1);
  CHECK(test::max_abs_diff(test::mat_of(g.image), gray) == 0.0);
  CHECK(r.restore(test::view_of(gray)).image.channels() == 1);
}

TEST_CASE("photo: overlapping faces are both pasted; pixels outside both masks are unchanged") {
  const gpen::Restorer r =
      fake_restorer("identity-512.pt", {test::face_at(20, 20, 0.3f), test::face_at(60, 40, 0.3f)});
  const cv::Mat photo = test::smooth_pattern(260, 240, 8);
  const gpen::Result result = r.restore(test::view_of(photo));
  REQUIRE(result.faces.size() == 2);
  const cv::Mat masks = union_of_masks(result, photo.size(), 512);
  const cv::Mat out = test::mat_of(result.image);
  double outside = 0, inside = 0;
  for (int y = 0; y < photo.rows; ++y) {
    for (int x = 0; x < photo.cols; ++x) {
      double d = 0;
      for (int k = 0; k < 3; ++k) d = std::max(d, std::abs(double(photo.at<cv::Vec3b>(y, x)[k]) - out.at<cv::Vec3b>(y, x)[k]));
      (masks.at<float>(y, x) > 0 ? inside : outside) = std::max(masks.at<float>(y, x) > 0 ? inside : outside, d);
    }
  }
  CHECK(outside == 0.0);
  CHECK(inside <= 2.0);
}

TEST_CASE("photo: face selection by size, centre and count") {
  std::vector<gpen::DetectedFace> faces(4);
  faces[0].box = {10, 10, 50, 50};
  faces[1].box = {100, 100, 40, 40};  // nearest the centre of a 240x240 photo
  faces[2].box = {180, 10, 60, 60};
  faces[3].box = {5, 200, 20, 20};  // too small for the default 32
  gpen::RestoreParams p;
  auto sel = gpen::detail::select_faces(faces, p, cv::Size(240, 240));
  REQUIRE(sel.size() == 3);
  CHECK(sel[0].box.x == 10);  // left to right
  p.only_center_face = true;
  sel = gpen::detail::select_faces(faces, p, cv::Size(240, 240));
  REQUIRE(sel.size() == 1);
  CHECK(sel[0].box.x == 100);
  faces.push_back(faces[0]);
  faces.back().landmarks[2].x = std::nanf("");  // unusable: dropped whatever the detector
  CHECK(gpen::detail::select_faces(faces, {}, cv::Size(240, 240)).size() == 3);
  faces.pop_back();
  p = {};
  p.max_faces = 2;
  sel = gpen::detail::select_faces(faces, p, cv::Size(240, 240));
  REQUIRE(sel.size() == 2);
  CHECK(sel[0].box.width == 50);  // the two largest, left to right
  CHECK(sel[1].box.width == 60);
}

TEST_CASE("photo: presets are parameter sets; bad parameters are refused by name") {
  const gpen::RestoreParams old = gpen::preset("old-photo");
  CHECK(old.mode == gpen::Mode::Strong);
  CHECK(old.denoise == 25.0f);
  CHECK(gpen::preset("id-photo").only_center_face);
  for (const std::string& name : gpen::preset_names()) CHECK_NOTHROW(gpen::preset(name).validate());
  const gpen::Restorer r = fake_restorer("random-64.pt", {});
  const cv::Mat photo = test::pattern(64, 64);
  gpen::RestoreParams p;
  p.upscale = 5;
  CHECK_GPEN_ERROR(r.restore(test::view_of(photo), p), gpen::ErrorCode::InvalidArgument, "upscale must be 1-4");
  p = {};
  p.min_face_size = std::nanf("");
  CHECK_GPEN_ERROR(r.restore(test::view_of(photo), p), gpen::ErrorCode::InvalidArgument, "min_face_size");
  gpen::ImageView empty;
  CHECK_GPEN_ERROR(r.restore(empty), gpen::ErrorCode::InvalidImage, "photo: image has no pixel data");
}

TEST_CASE("photo: an unknown detector spec and a missing RetinaFace model are clear errors") {
  auto o = with_model("random-64.pt");
  o.detector = "mtcnn";
  // The detector is created on first use, but its spec is checked when the Restorer is made.
  CHECK_GPEN_ERROR(gpen::Restorer{o}, gpen::ErrorCode::InvalidArgument,
                   "detector must be \"dlib\" or \"retinaface:NAME|PATH\", got \"mtcnn\"");
  o.detector = "retinaface:/nonexistent/det.pt";
  CHECK_GPEN_ERROR(gpen::Restorer{o}, gpen::ErrorCode::FileNotFound, "/nonexistent/det.pt");
  CHECK_GPEN_ERROR(gpen::make_face_detector("retinaface:/nonexistent/det.pt"), gpen::ErrorCode::FileNotFound,
                   "/nonexistent/det.pt");
}

TEST_CASE("photo: one Restorer restores photos from several threads at once, identically") {
  if (!test::available(solvay())) return;
  const gpen::Restorer r(with_model("random-64.pt"));
  const gpen::Image photo = gpen::read_image(solvay());
  const gpen::Result expected = r.restore(photo.view());
  std::vector<gpen::Result> results(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back([&, t] { results[t] = r.restore(photo.view()); });
  for (auto& th : threads) th.join();
  for (const gpen::Result& res : results) {
    CHECK(res.faces.size() == expected.faces.size());
    CHECK(test::max_abs_diff(test::mat_of(res.image), test::mat_of(expected.image)) == 0.0);
  }
}

TEST_CASE("photo: an output over 1073 megapixels (after upscale) is refused before any work") {
  const gpen::Restorer r(with_model("random-64.pt"), std::make_unique<test::FakeDetector>(std::vector<gpen::DetectedFace>{}));
  static unsigned char pixel[3] = {0, 0, 0};
  gpen::ImageView huge;  // declared 16000 x 16000; refused before a pixel is read
  huge.data = pixel;
  huge.width = 16000;
  huge.height = 16000;
  huge.channels = 3;
  gpen::RestoreParams p;
  p.upscale = 4;
  CHECK_GPEN_ERROR(r.restore(huge, p), gpen::ErrorCode::InvalidArgument,
                   "upscale 4 would make a 64000x64000 output (4096 megapixels); the limit is 1073 megapixels");
}
