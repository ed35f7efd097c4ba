// The rest of the upstream pipeline: the RRDBNet background upsampler (whole and tiled) and the
// ParseNet face parser against the reference implementation's outputs, and both in a Restorer.

#include "torch_first.hpp"  // before doctest

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "fake_detector.hpp"
#include "gpen/restorer.hpp"
#include "model/background_upsampler.hpp"
#include "model/face_parser.hpp"
#include "model/torchscript_file.hpp"
#include "photo/face_finishing.hpp"
#include "test_support.hpp"

namespace {

const torch::Device kCpu(torch::kCPU);

torch::Tensor npy_tensor(const std::string& path) {
  std::vector<long> shape;
  std::vector<float> data = test::read_npy(path, shape);
  return torch::from_blob(data.data(), std::vector<int64_t>(shape.begin(), shape.end()), torch::kFloat32).clone();
}

// A reference output tensor [1, 3, H, W] (RGB, float) as the reference writes it: 8-bit BGR.
cv::Mat reference_bytes(const torch::Tensor& y) {
  const torch::Tensor bytes =
      y.clamp(0.0, 1.0).mul(255.0).round().to(torch::kUInt8).squeeze(0).flip(0).permute({1, 2, 0}).contiguous();
  cv::Mat out(static_cast<int>(bytes.size(0)), static_cast<int>(bytes.size(1)), CV_8UC3);
  std::memcpy(out.data, bytes.data_ptr<std::uint8_t>(), out.total() * 3);
  return out;
}

// Pixels (channel values) that differ, and the largest difference.
std::pair<int, double> differences(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  double most = 0;
  cv::minMaxLoc(diff.reshape(1), nullptr, &most);
  return {cv::countNonZero(diff.reshape(1)), most};
}

}  // namespace

TEST_CASE("background upsampler: x1, x2, x4 fixtures match the reference, whole and tiled (16, pad 4)") {
  for (int scale : {1, 2, 4}) {
    CAPTURE(scale);
    const std::string dir = test::shared_dir() + "/fixtures/realesrnet/parity-x" + std::to_string(scale) + "/";
    const std::string path = test::model("sr-x" + std::to_string(scale) + ".pt");
    if (!test::available(dir + "output_tensor.npy") || !test::available(path)) return;
    // The exported graph itself, on the reference input tensor.
    auto file = gpen::detail::load_torchscript(path, kCpu);
    file.module.eval();
    {
      c10::InferenceMode guard;
      const torch::Tensor raw = file.module.forward({npy_tensor(dir + "input_tensor.npy")}).toTensor();
      const double diff = (raw - npy_tensor(dir + "output_tensor.npy")).abs().max().item<double>();
      MESSAGE("x" << scale << " graph: max |ours - reference| = " << diff);
      CHECK(diff <= 1e-5);
    }
    // The library's upsampler on the fixture's PNG, whole and tiled, against the reference bytes.
    const gpen::detail::BackgroundUpsampler sr(path, kCpu);
    CHECK(sr.scale() == scale);
    const cv::Mat input = cv::imread(dir + "input.png", cv::IMREAD_COLOR);
    const cv::Mat whole = sr.upscale(input, 0, 0);
    const cv::Mat tiled = sr.upscale(input, 16, 4);
    REQUIRE(whole.size() == cv::Size(input.cols * scale, input.rows * scale));
    REQUIRE(tiled.size() == whole.size());
    const auto [whole_count, whole_max] = differences(whole, reference_bytes(npy_tensor(dir + "output_tensor.npy")));
    const auto [tiled_count, tiled_max] = differences(tiled, reference_bytes(npy_tensor(dir + "output_tiled_16_pad4.npy")));
    MESSAGE("x" << scale << " whole: " << whole_count << " values differ (max " << whole_max << "); tiled: "
                << tiled_count << " (max " << tiled_max << ") of " << whole.total() * 3);
    CHECK(whole_max <= 1);
    CHECK(tiled_max <= 1);
    CHECK(whole_count <= static_cast<int>(whole.total() * 3 / 1000));  // only rounding ties at x.5
    CHECK(tiled_count <= static_cast<int>(whole.total() * 3 / 1000));
    CHECK(cv::imread(dir + "output.png", cv::IMREAD_COLOR).size() == whole.size());
  }
}

TEST_CASE("background upsampler: any photo size; one tile as large as the photo is the whole-photo result") {
  const std::string path = test::model("sr-random-x2.pt");
  const gpen::detail::BackgroundUpsampler sr(path, kCpu);
  for (const cv::Size size : {cv::Size(37, 29), cv::Size(1, 1), cv::Size(64, 3)}) {
    CAPTURE(size);
    const cv::Mat photo = test::pattern(size.width, size.height, 3);
    const cv::Mat whole = sr.upscale(photo, 0, 0);
    CHECK(whole.size() == cv::Size(size.width * 2, size.height * 2));
    CHECK(test::max_abs_diff(sr.upscale(photo, 64, 10), whole) == 0);
  }
  // Tiles with enough context agree with the whole photo away from nothing but rounding; a
  // tile of 8 with no context at all shows seams (the pad is what hides them).
  const cv::Mat photo = test::smooth_pattern(48, 40, 1);
  const cv::Mat whole = sr.upscale(photo, 0, 0);
  CHECK(sr.upscale(photo, 7, 3).size() == whole.size());  // rounded up to multiples of 2
  const double seams = test::max_abs_diff(sr.upscale(photo, 8, 0), whole);
  const double padded = test::max_abs_diff(sr.upscale(photo, 8, 16), whole);
  MESSAGE("tile 8: max difference from the whole photo " << seams << " without context, " << padded << " with 16 px");
  CHECK(padded < seams);
  CHECK_GPEN_ERROR(sr.upscale(cv::Mat(), 0, 0), gpen::ErrorCode::InvalidArgument, "8-bit BGR");
  int asked = 0;
  CHECK_GPEN_ERROR(sr.upscale(photo, 16, 4, [&] { return ++asked > 2; }), gpen::ErrorCode::Cancelled, "cancelled");
  CHECK(asked == 3);
}

TEST_CASE("face parser: the fixture's logits and 0/255 mask match the reference") {
  const std::string dir = test::shared_dir() + "/fixtures/parsenet/parity/";
  const std::string path = test::model("parsenet-parity.pt");
  if (!test::available(dir + "logits.npy") || !test::available(path)) return;
  const gpen::detail::FaceParser parser(path, kCpu);
  CHECK(parser.size() == 128);
  const torch::Tensor logits = parser.logits(npy_tensor(dir + "input_tensor.npy"));
  const double diff = (logits - npy_tensor(dir + "logits.npy")).abs().max().item<double>();
  MESSAGE("ParseNet logits: max |ours - reference| = " << diff);
  CHECK(diff <= 1e-4);
  const cv::Mat input = cv::imread(dir + "input.png", cv::IMREAD_COLOR);
  const cv::Mat expected = cv::imread(dir + "mask.png", cv::IMREAD_GRAYSCALE);
  const cv::Mat mask = parser.masks({input}).at(0);
  REQUIRE(mask.size() == expected.size());
  cv::Mat differ;
  cv::compare(mask, expected, differ, cv::CMP_NE);
  MESSAGE("mask: " << cv::countNonZero(differ) << " of " << mask.total() << " pixels differ");
  CHECK(cv::countNonZero(differ) == 0);
  // The paste mask: in [0, 1], zero at the border, at the crop size asked for.
  const cv::Mat paste = parser.paste_masks({input}, 64).at(0);
  CHECK(paste.size() == cv::Size(64, 64));
  double lo = 0, hi = 0;
  cv::minMaxLoc(paste, &lo, &hi);
  CHECK(lo >= 0.0);
  CHECK(hi <= 1.0 + 1e-6);
  CHECK(paste.at<float>(0, 0) < 0.01f);
}

TEST_CASE("pipeline models: a model given in the wrong place says where it goes") {
  CHECK_GPEN_ERROR(gpen::detail::BackgroundUpsampler(test::model("random-64.pt"), kCpu), gpen::ErrorCode::UnsupportedModel,
                   "it is a face model");
  CHECK_GPEN_ERROR(gpen::detail::FaceParser(test::model("sr-random-x2.pt"), kCpu), gpen::ErrorCode::UnsupportedModel,
                   "it is a background upsampler: give it as bg_upsampler");
  gpen::RestorerOptions o;
  o.model_path = test::model("parsenet-random.pt");
  CHECK_GPEN_ERROR(gpen::Restorer{o}, gpen::ErrorCode::UnsupportedModel, "it is a face parser: give it as parser");
  // Model files are untrusted: outputs of the wrong shape are refused with what was expected.
  const gpen::detail::BackgroundUpsampler bad_sr(test::model("bad-sr.pt"), kCpu);
  CHECK_GPEN_ERROR(bad_sr.upscale(test::pattern(20, 10), 0, 0), gpen::ErrorCode::InvalidModel,
                   "the model did not return [1, 3, 20, 40] floating point (its metadata says x2)");
  const gpen::detail::FaceParser bad_parser(test::model("bad-parser.pt"), kCpu);
  CHECK_GPEN_ERROR(bad_parser.masks({test::pattern(64, 64)}), gpen::ErrorCode::InvalidModel,
                   "did not return floating-point logits [N, 19, 128, 128]");
  o.model_path.clear();
  o.bg_upsampler = test::model("missing.pt");
  CHECK_GPEN_ERROR(gpen::Restorer{o}, gpen::ErrorCode::FileNotFound, "missing.pt");
  o.bg_upsampler.clear();
  o.bg_tile = -1;
  CHECK_GPEN_ERROR(gpen::Restorer{o}, gpen::ErrorCode::InvalidArgument, "bg_tile");
}

TEST_CASE("restorer: background upsampler and parser together; output at the upsampler's scale") {
  gpen::RestorerOptions o;
  o.model_path = test::model("random-64.pt");
  o.bg_upsampler = test::model("sr-random-x2.pt");
  o.bg_tile = 48;
  o.parser = test::model("parsenet-random.pt");
  const gpen::DetectedFace face = test::face_at(10, 6, 0.2f);
  gpen::Restorer r(o, std::make_unique<test::FakeDetector>(std::vector<gpen::DetectedFace>{face}));
  const cv::Mat photo = test::smooth_pattern(240, 200, 2);  // the face: about (10-112, 6-108)
  const gpen::Result out = r.restore(test::view_of(photo));
  CHECK(out.image.width() == 480);
  CHECK(out.image.height() == 400);
  REQUIRE(out.faces.size() == 1);
  CHECK(out.faces[0].mask.width() == 64);
  CHECK(out.faces[0].mask.channels() == 1);
  // Far from the face the result is the upsampler's photo, untouched by the paste-back.
  const gpen::detail::BackgroundUpsampler sr(o.bg_upsampler, kCpu);
  const cv::Mat background = sr.upscale(photo, 48, 10);
  const cv::Rect corner(300, 250, 180, 150);
  CHECK(test::max_abs_diff(test::bgr_of(out.image)(corner), background(corner)) == 0);
  // upscale 4 with an x2 upsampler: its output resized to 4x; upscale 1 means the upsampler's 2x.
  gpen::RestoreParams p;
  p.upscale = 4;
  const gpen::Result four = r.restore(test::view_of(photo), p);
  CHECK(four.image.width() == 960);
  CHECK(four.image.height() == 800);
  // Aligned crops: the restored face enlarged by the upsampler (the reference's aligned --use_sr).
  CHECK(r.restore_face(test::view_of(test::smooth_pattern(64, 64, 3))).width() == 128);
  // Without faces (strength 0) the background is still upsampled.
  p.upscale = 1;
  p.strength = 0;
  CHECK(test::max_abs_diff(test::bgr_of(r.restore(test::view_of(photo), p).image), sr.upscale(photo, 48, 10)) == 0);
}

TEST_CASE("restorer: a black-and-white photo saved as colour comes back black-and-white") {
  gpen::RestorerOptions o;
  o.model_path = test::model("random-64.pt");  // random weights: a strong colour cast
  const gpen::DetectedFace face = test::face_at(10, 6, 0.2f);
  gpen::Restorer r(o, std::make_unique<test::FakeDetector>(std::vector<gpen::DetectedFace>{face}));
  cv::Mat gray, photo;
  cv::cvtColor(test::smooth_pattern(160, 140, 4), gray, cv::COLOR_BGR2GRAY);
  cv::cvtColor(gray, photo, cv::COLOR_GRAY2BGR);
  photo.at<cv::Vec3b>(0, 0) = cv::Vec3b(0, 0, 255);  // one red pixel (a speck) does not make it colour
  const cv::Mat out = test::bgr_of(r.restore(test::view_of(photo)).image);
  std::vector<cv::Mat> planes;
  cv::split(out, planes);
  CHECK(test::max_abs_diff(planes[0], planes[1]) == 0);
  CHECK(test::max_abs_diff(planes[1], planes[2]) == 0);
  CHECK(test::max_abs_diff(out, photo) > 10);  // the face was restored
  // A colour photo keeps its colours (the cast of this random model included).
  const cv::Mat colour = test::smooth_pattern(160, 140, 4);
  cv::split(test::bgr_of(r.restore(test::view_of(colour)).image), planes);
  CHECK(test::max_abs_diff(planes[0], planes[1]) > 10);
  // Nothing restored (strength 0): the input comes back byte for byte, specks included.
  gpen::RestoreParams p;
  p.strength = 0;
  CHECK(test::max_abs_diff(test::bgr_of(r.restore(test::view_of(photo), p).image), photo) == 0);
}

TEST_CASE("tasks: seg2face renders the unnormalised reference output from an aligned map") {
  const std::string dir = test::shared_dir() + "/fixtures/gpen/parity-64-unnorm/";
  const std::string path = test::model("seg2face-parity-64.pt");
  if (!test::available(dir + "output.png") || !test::available(path)) return;
  gpen::RestorerOptions o;
  o.model_path = path;
  const gpen::Restorer r(o);
  CHECK(r.model().task == "seg2face");
  const cv::Mat map = cv::imread(dir + "input.png", cv::IMREAD_COLOR);
  const cv::Mat out = test::bgr_of(r.restore_face(test::view_of(map)));
  const cv::Mat expected = cv::imread(dir + "output.png", cv::IMREAD_COLOR);
  cv::Mat diff;
  cv::absdiff(out, expected, diff);
  double most = 0;
  cv::minMaxLoc(diff.reshape(1), nullptr, &most);
  MESSAGE("seg2face: " << cv::countNonZero(diff.reshape(1)) << " of " << diff.total() * 3 << " values differ, max " << most);
  CHECK(most <= 1);  // the reference truncates; rounding at exact integers can go either way
  CHECK(cv::countNonZero(diff.reshape(1)) <= static_cast<int>(diff.total() * 3 / 100));
  CHECK_GPEN_ERROR(r.restore(test::view_of(map)), gpen::ErrorCode::InvalidArgument, "segmentation maps");
}

TEST_CASE("tasks: colorize keeps the face's tones and adds colour; tasks are checked against the model") {
  gpen::RestorerOptions o;
  o.model_path = test::model("colorize-64.pt");
  const gpen::DetectedFace face = test::face_at(10, 6, 0.2f);
  gpen::Restorer r(o, std::make_unique<test::FakeDetector>(std::vector<gpen::DetectedFace>{face}));
  CHECK(r.model().task == "colorize");
  cv::Mat gray;
  cv::cvtColor(test::smooth_pattern(160, 140, 5), gray, cv::COLOR_BGR2GRAY);
  const gpen::Result result = r.restore(test::view_of(gray));
  REQUIRE(result.image.channels() == 3);  // a gray photo comes back in colour
  const cv::Mat out = test::bgr_of(result.image);
  std::vector<cv::Mat> planes;
  cv::split(out, planes);
  CHECK(test::max_abs_diff(planes[0], planes[2]) > 5);  // colour where the face is
  cv::Mat luma;
  cv::cvtColor(out, luma, cv::COLOR_BGR2GRAY);
  const cv::Rect inside(40, 40, 40, 40);  // well inside the face's mask
  // Tones kept up to the colours' clipping (this random model's colours are extreme).
  const double inside_change = cv::norm(luma(inside), gray(inside), cv::NORM_L1) / static_cast<double>(inside.area());
  MESSAGE("colorize: mean luminance change inside the face " << inside_change);
  CHECK(inside_change <= 3.0);
  const cv::Rect outside(120, 110, 40, 30);
  CHECK(test::max_abs_diff(planes[0](outside), planes[1](outside)) == 0);  // the rest stays gray
  // Aligned crops: the model's colours (random-64 is the same network exported for enhance)
  // under the crop's tones, exactly.
  cv::Mat crop_bgr;
  cv::cvtColor(gray(cv::Rect(0, 0, 64, 64)), crop_bgr, cv::COLOR_GRAY2BGR);
  const cv::Mat crop = test::bgr_of(r.restore_face(test::view_of(gray(cv::Rect(0, 0, 64, 64)))));
  gpen::RestorerOptions plain;
  plain.model_path = test::model("random-64.pt");
  const cv::Mat raw = test::bgr_of(gpen::Restorer(plain).restore_face(test::view_of(crop_bgr)));
  CHECK(test::max_abs_diff(crop, gpen::detail::with_luminance_of(raw, crop_bgr)) == 0);
  // With colours that need no clipping the tones are kept to rounding.
  cv::Mat tint(64, 64, CV_8UC3, cv::Scalar(120, 130, 140)), source;
  cv::cvtColor(gray(cv::Rect(0, 0, 64, 64)), source, cv::COLOR_GRAY2BGR);
  cv::Mat kept_luma;
  cv::cvtColor(gpen::detail::with_luminance_of(tint, source), kept_luma, cv::COLOR_BGR2GRAY);
  CHECK(test::max_abs_diff(kept_luma, gray(cv::Rect(0, 0, 64, 64))) <= 2);

  o.task = "enhance";
  CHECK_GPEN_ERROR(gpen::Restorer{o}, gpen::ErrorCode::InvalidArgument, "was exported for task colorize, not enhance");
  o.model_path.clear();
  o.task = "colorize";
  CHECK_GPEN_ERROR(gpen::Restorer{o}, gpen::ErrorCode::InvalidArgument, "classic path (no model) only enhances");
  o.task = "paint";
  CHECK_GPEN_ERROR(gpen::Restorer{o}, gpen::ErrorCode::InvalidArgument, "task must be");
}

TEST_CASE("FullGenerator_SR: a model whose output is twice its input (GPEN-BFR-2048's kind)") {
  const std::string path = test::model("gpen-sr-32-64.pt");
  if (!test::available(path)) return;
  CHECK(gpen::read_model_info(path).input_size == 32);
  gpen::RestorerOptions o;
  o.model_path = path;
  const gpen::DetectedFace face = test::face_at(20, 10, 0.25f);
  gpen::Restorer r(o, std::make_unique<test::FakeDetector>(std::vector<gpen::DetectedFace>{face}));
  CHECK(r.model().size == 64);
  CHECK(r.model().input_size == 32);
  // Aligned crops: any size in, the model's output size out.
  CHECK(r.restore_face(test::view_of(test::smooth_pattern(48, 48, 1))).width() == 64);
  // Photos: the crop is cut at 32, the 64 px face pasted back at its own resolution.
  const cv::Mat photo = test::smooth_pattern(200, 180, 6);
  gpen::RestoreParams p;
  p.upscale = 2;
  const gpen::Result out = r.restore(test::view_of(photo), p);
  REQUIRE(out.faces.size() == 1);
  CHECK(out.faces[0].aligned.width() == 32);
  CHECK(out.faces[0].restored.width() == 64);
  const cv::Mat result = test::bgr_of(out.image);
  CHECK(result.size() == cv::Size(400, 360));
  cv::Mat resized;
  cv::resize(photo, resized, result.size(), 0, 0, cv::INTER_LANCZOS4);
  const cv::Rect face_area(2 * 70, 2 * 60, 60, 60), far(300, 280, 90, 70);
  CHECK(test::max_abs_diff(result(far), resized(far)) == 0);
  CHECK(test::max_abs_diff(result(face_area), resized(face_area)) > 10);
}
