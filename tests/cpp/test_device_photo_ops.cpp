// The whole-photo path's tensor operations (PhotoOps::Device), run on the CPU here and compared
// with the OpenCV host path they replace on a GPU.

#include "torch_first.hpp"  // before doctest

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "imaging/alignment.hpp"
#include "device/cuda_support.hpp"
#include "device/device_photo_ops.hpp"
#include "imaging/filters.hpp"
#include "device/face_tensor.hpp"
#include "fake_detector.hpp"
#include "gpen/batch.hpp"
#include "gpen/error.hpp"
#include "gpen/io.hpp"
#include "gpen/restorer.hpp"
#include "imaging/paste_back.hpp"
#include "test_support.hpp"
#include "model/torch_model.hpp"

namespace {

const torch::Device kCpu(torch::kCPU);

torch::Tensor pixels(const cv::Mat& bgr) { return gpen::detail::upload_image(bgr, kCpu); }
cv::Mat mat(const torch::Tensor& t) { return gpen::detail::pixels_to_mats(t).front(); }

// Max |a - b| over pixels at least `border` px inside the image.
double inner_diff(const cv::Mat& a, const cv::Mat& b, int border) {
  const cv::Rect inner(border, border, a.cols - 2 * border, a.rows - 2 * border);
  return test::max_abs_diff(a(inner), b(inner));
}

gpen::Restorer restorer_with(const std::string& model, gpen::PhotoOps ops, std::vector<gpen::DetectedFace> faces,
                             int max_batch = 4) {
  gpen::RestorerOptions o;
  o.model_path = test::model(model);
  o.photo_ops = ops;
  o.max_batch = max_batch;
  return gpen::Restorer(o, std::make_unique<test::FakeDetector>(std::move(faces)));
}

const std::vector<gpen::DetectedFace> kTwoFaces = {test::face_at(12, 20, 0.3f), test::face_at(70, 44, 0.25f)};

}  // namespace

TEST_CASE("device ops: upload and download are exact; normalised maps of the identity are the identity") {
  const cv::Mat img = test::pattern(37, 23, 3);
  const torch::Tensor t = pixels(img);
  CHECK(t.sizes() == torch::IntArrayRef({1, 3, 23, 37}));
  CHECK(test::max_abs_diff(mat(t), img) == 0.0);
  const cv::Matx23d id = gpen::detail::normalised_affine(cv::Matx23d(1, 0, 0, 0, 1, 0), {37, 23}, {37, 23});
  for (int k = 0; k < 6; ++k) CHECK(id.val[k] == doctest::Approx(k == 0 || k == 4 ? 1.0 : 0.0));
}

TEST_CASE("device ops: warp_faces equals OpenCV's bicubic warpAffine within 1 level") {
  const cv::Mat photo = test::smooth_pattern(160, 120, 5);
  const int size = 64;
  std::vector<cv::Matx23d> maps;
  for (const auto& f : kTwoFaces) maps.push_back(gpen::detail::alignment_transform(f.landmarks, size));
  maps.push_back(cv::Matx23d(0.9, 0.2, -30, -0.2, 0.9, 4));  // partly outside the photo
  const torch::Tensor crops = gpen::detail::warp_faces(pixels(photo), maps, size);
  REQUIRE(crops.sizes() == torch::IntArrayRef({3, 3, size, size}));
  const std::vector<cv::Mat> ours = gpen::detail::pixels_to_mats(crops);
  for (std::size_t i = 0; i < maps.size(); ++i) {
    cv::Mat expected;
    cv::warpAffine(photo, expected, cv::Mat(maps[i]), {size, size}, cv::INTER_CUBIC, cv::BORDER_CONSTANT);
    const double d = inner_diff(ours[i], expected, 2);
    MESSAGE("crop " << i << ": max |torch - OpenCV| = " << d);
    CHECK(d <= 1.0);
  }
}

TEST_CASE("device ops: paste_faces equals the host paste-back within 2 levels and touches nothing else") {
  const cv::Mat photo = test::smooth_pattern(160, 120, 6);
  const cv::Mat face = test::pattern(64, 64, 7);
  const cv::Mat mask = gpen::detail::face_mask(64);
  const cv::Matx23d m = gpen::detail::alignment_transform(kTwoFaces[0].landmarks, 64);
  cv::Mat host = photo.clone();
  gpen::detail::paste_face(host, face, m, mask, 0.7);
  torch::Tensor canvas = pixels(photo);
  const torch::Tensor mask_t = torch::from_blob(mask.data, {64, 64}, torch::kFloat32);
  gpen::detail::paste_faces(canvas, pixels(face), {m}, mask_t, 0.7);
  const cv::Mat ours = mat(canvas);
  const double d = test::max_abs_diff(ours, host);
  MESSAGE("max |device paste - host paste| = " << d);
  CHECK(d <= 2.0);  // the host rounds the warped face before blending, and interpolates in fixed point
  CHECK(test::max_abs_diff(ours, photo) > 20.0);  // the face did land
  // Outside the face's region the canvas is untouched, bit for bit.
  const cv::Rect roi = gpen::detail::paste_region(gpen::detail::invert_affine(m), {64, 64}, photo.size());
  cv::Mat outside = cv::Mat::ones(photo.size(), CV_8U);
  outside(roi).setTo(0);
  cv::Mat a, b;
  ours.copyTo(a, outside);
  photo.copyTo(b, outside);
  CHECK(test::max_abs_diff(a, b) == 0.0);
}

TEST_CASE("device ops: mode finishing matches the host's (levels exactly-ish, unsharp within 2)") {
  cv::Mat faded = test::smooth_pattern(64, 64, 8);
  faded.convertTo(faded, CV_8U, 0.5, 60);  // a faded face: values 60-188
  gpen::RestoreParams p;
  p.mode = gpen::Mode::Strong;
  const cv::Mat strong = mat(gpen::detail::finish_faces(pixels(faded), p));
  CHECK(test::max_abs_diff(strong, gpen::detail::auto_levels(faded, 0.5, 99.5)) <= 1.0);
  double lo, hi;
  cv::minMaxLoc(strong.reshape(1), &lo, &hi);
  CHECK(lo <= 2.0);
  CHECK(hi >= 253.0);
  p.mode = gpen::Mode::Detail;
  const cv::Mat detail = mat(gpen::detail::finish_faces(pixels(faded), p));
  const double d = test::max_abs_diff(detail, gpen::detail::unsharp_mask(faded, 0.5, 1.0));
  MESSAGE("Detail: max |device - host| = " << d);
  CHECK(d <= 2.0);
  p.mode = gpen::Mode::Natural;
  CHECK(test::max_abs_diff(mat(gpen::detail::finish_faces(pixels(faded), p)), faded) == 0.0);
}

TEST_CASE("device ops: a whole photo through PhotoOps::Device matches PhotoOps::Host") {
  if (!test::available(test::model("random-64.pt"))) return;
  const cv::Mat photo = test::smooth_pattern(200, 160, 9);
  for (const gpen::Mode mode : {gpen::Mode::Natural, gpen::Mode::Strong, gpen::Mode::Detail}) {
    gpen::RestoreParams p;
    p.mode = mode;
    p.strength = 80.0f;
    const gpen::Result host = restorer_with("random-64.pt", gpen::PhotoOps::Host, kTwoFaces).restore(test::view_of(photo), p);
    const gpen::Result dev = restorer_with("random-64.pt", gpen::PhotoOps::Device, kTwoFaces).restore(test::view_of(photo), p);
    REQUIRE(dev.faces.size() == 2);
    cv::Mat diff;
    cv::absdiff(test::mat_of(host.image), test::mat_of(dev.image), diff);
    const double mean = cv::mean(diff.reshape(1))[0];
    const double max = test::max_abs_diff(test::mat_of(host.image), test::mat_of(dev.image));
    MESSAGE(std::string(gpen::mode_name(mode)) << ": device vs host photo: mean " << mean << ", max " << max << " levels");
    CHECK(mean <= 0.5);
    CHECK(max <= 16.0);  // a random model amplifies the crops' bicubic-vs-Lanczos differences
    for (int i = 0; i < 2; ++i) {
      CHECK(dev.faces[i].aligned.width() == 64);
      CHECK(dev.faces[i].restored.width() == 64);
      CHECK(test::max_abs_diff(test::mat_of(dev.faces[i].aligned), test::mat_of(host.faces[i].aligned)) <= 12.0);
    }
  }
}

TEST_CASE("device ops: with an identity model, paste-back on the device is exact outside the faces") {
  if (!test::available(test::model("identity-512.pt"))) return;
  const cv::Mat photo = test::smooth_pattern(300, 240, 10);
  const std::vector<gpen::DetectedFace> faces = {test::face_at(20, 20, 0.3f), test::face_at(120, 60, 0.25f)};
  const gpen::Restorer r = restorer_with("identity-512.pt", gpen::PhotoOps::Device, faces, 2);
  const gpen::Result res = r.restore(test::view_of(photo));
  const cv::Mat out = test::mat_of(res.image);
  cv::Mat touched = cv::Mat::zeros(photo.size(), CV_8U);
  for (const gpen::FaceResult& f : res.faces) {
    const cv::Matx23d m(f.affine[0], f.affine[1], f.affine[2], f.affine[3], f.affine[4], f.affine[5]);
    touched(gpen::detail::paste_region(gpen::detail::invert_affine(m), {512, 512}, photo.size())).setTo(1);
  }
  cv::Mat a, b, untouched = 1 - touched;
  out.copyTo(a, untouched);
  photo.copyTo(b, untouched);
  CHECK(test::max_abs_diff(a, b) == 0.0);
  const double inside = test::max_abs_diff(out, photo);
  MESSAGE("identity model, device path: max |restored - photo| " << inside << " levels");
  CHECK(inside <= 3.0);
}

TEST_CASE("device ops: strength 0 is byte for byte; upscale and several threads work on the device path") {
  if (!test::available(test::model("random-64.pt"))) return;
  const cv::Mat photo = test::smooth_pattern(200, 160, 11);
  const gpen::Restorer r = restorer_with("random-64.pt", gpen::PhotoOps::Device, kTwoFaces);
  gpen::RestoreParams p;
  p.strength = 0.0f;
  CHECK(test::max_abs_diff(test::mat_of(r.restore(test::view_of(photo), p).image), photo) == 0.0);
  p.strength = 100.0f;
  p.upscale = 2;
  const gpen::Result up = r.restore(test::view_of(photo), p);
  CHECK(up.image.width() == 400);
  CHECK(up.image.height() == 320);
  const gpen::Result host = restorer_with("random-64.pt", gpen::PhotoOps::Host, kTwoFaces).restore(test::view_of(photo), p);
  cv::Mat diff;
  cv::absdiff(test::mat_of(host.image), test::mat_of(up.image), diff);
  CHECK(cv::mean(diff.reshape(1))[0] <= 0.5);
  const gpen::Result first = r.restore(test::view_of(photo));
  std::vector<gpen::Result> results(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back([&, t] { results[t] = r.restore(test::view_of(photo)); });
  for (auto& th : threads) th.join();
  for (const gpen::Result& res : results) CHECK(test::max_abs_diff(test::mat_of(res.image), test::mat_of(first.image)) == 0.0);
}

TEST_CASE("device ops: the batch engine on the device path equals one-at-a-time restoration") {
  if (!test::available(test::model("random-64.pt"))) return;
  const std::string dir = test::temp_dir("batch-device");
  std::filesystem::create_directories(dir + "/in");
  for (int i = 0; i < 5; ++i) {
    REQUIRE(cv::imwrite(dir + "/in/p" + std::to_string(i) + ".png", test::smooth_pattern(200, 180, 20 + i)));
  }
  const gpen::Restorer r = restorer_with("random-64.pt", gpen::PhotoOps::Device, kTwoFaces, 3);
  gpen::BatchOptions o;
  o.output_dir = dir + "/out";
  o.readers = 2;
  o.writers = 2;
  gpen::BatchProcessor processor(r, o);
  const gpen::BatchReport report = processor.run({dir + "/in"}, {});
  REQUIRE(report.restored == 5);
  CHECK(report.faces == 10);
  CHECK(report.model_calls <= 5);  // 10 faces, 3 per call, batched across photos
  for (const gpen::FileReport& f : report.files) {
    const gpen::Image expected = r.restore(gpen::read_image(f.input).view()).image;
    // Within 1 level: a face batched with others may round differently in the model.
    CHECK(test::max_abs_diff(test::mat_of(gpen::read_image(f.output)), test::mat_of(expected)) <= 1.0);
  }
  // Without save_faces the crops never leave the device; with it they are written.
  CHECK_FALSE(std::filesystem::exists(dir + "/out/faces"));
  o.output_dir = dir + "/with-faces";
  o.save_faces = true;
  gpen::BatchProcessor saving(r, o);
  REQUIRE(saving.run({dir + "/in/p0.png"}, {}).restored == 1);
  for (const char* kind : {"aligned", "restored"}) {
    const gpen::Image crop = gpen::read_image(dir + "/with-faces/faces/p0_1_" + kind + ".png");
    CHECK(crop.width() == 64);
  }
}

TEST_CASE("device ops: on the CPU streams are no-ops and staging memory is ordinary") {
  const gpen::detail::DeviceStreamScope scope(kCpu);
  scope.synchronize();
  gpen::detail::synchronize_current_stream(kCpu);
  const torch::TensorOptions staging = gpen::detail::host_staging(kCpu, torch::kUInt8);
  CHECK_FALSE(staging.pinned_memory());
  CHECK(staging.device().is_cpu());
  CHECK(torch::empty({4}, staging).dtype() == torch::kUInt8);
  CHECK_FALSE(gpen::detail::device_memory_stats(kCpu).device_memory);
  CHECK_NOTHROW(gpen::detail::cap_device_memory(kCpu, 0));
  CHECK_THROWS_AS(gpen::detail::cap_device_memory(kCpu, 1 << 20), gpen::Error);
}

TEST_CASE("device ops: memory figures, the memory cap and photo_ops are checked and explained") {
  if (!test::available(test::model("random-64.pt"))) return;
  gpen::RestorerOptions o;
  o.model_path = test::model("random-64.pt");
  const gpen::MemoryStats cpu = gpen::Restorer(o).memory_stats();
  CHECK_FALSE(cpu.device_memory);
  CHECK(cpu.reserved_bytes == 0);
  CHECK(cpu.total_bytes == 0);
  o.memory_limit_mb = 512;
  try {
    gpen::Restorer r(o);
    FAIL("a memory cap on the CPU was accepted");
  } catch (const gpen::Error& e) {
    CHECK(e.code() == gpen::ErrorCode::InvalidArgument);
    CHECK(std::string(e.what()).find("memory_limit_mb applies to CUDA devices only") != std::string::npos);
  }
  o.memory_limit_mb = -1;
  CHECK_THROWS_WITH_AS(gpen::Restorer{o}, doctest::Contains("memory_limit_mb must be 0"), gpen::Error);
  CHECK(gpen::parse_photo_ops("device") == gpen::PhotoOps::Device);
  CHECK_THROWS_WITH_AS(gpen::parse_photo_ops("gpu"), doctest::Contains("photo_ops must be auto, host or device"),
                       gpen::Error);
  CHECK(std::string(gpen::error_code_name(gpen::ErrorCode::OutOfMemory)) == "out-of-memory");
}

TEST_CASE("device ops: channels-last weights and inputs (as CUDA runs reduced precision) give the same output") {
  if (!test::available(test::model("random-64.pt"))) return;
  const torch::Device cpu(torch::kCPU);
  const gpen::detail::TorchModel plain(test::model("random-64.pt"), cpu);
  const gpen::detail::TorchModel nhwc(test::model("random-64.pt"), cpu, torch::kFloat32, /*channels_last=*/true);
  const torch::Tensor x = torch::rand({2, 3, 64, 64}) * 2 - 1;
  const torch::Tensor a = plain.forward(x);
  const torch::Tensor b = nhwc.forward(x.contiguous(torch::MemoryFormat::ChannelsLast));
  const double diff = (a - b).abs().max().item<double>();
  MESSAGE("max |channels-last - contiguous| = " << diff);
  CHECK(diff <= 1e-4);
}
