// GPU suite (ctest -L gpu): runs where LibTorch has CUDA and a device is present; elsewhere every
// case says it is skipped. Only device-generic LibTorch calls here, so it builds everywhere.

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "../cpp/torch_first.hpp"  // before doctest

#include <torch/cuda.h>

#include <thread>

#include "../cpp/test_support.hpp"
#include "../cpp/fake_detector.hpp"
#include "gpen/error.hpp"
#include "gpen/restorer.hpp"
#include "model/torch_model.hpp"

namespace {

bool have_gpu() {
  if (torch::cuda::is_available()) return true;
  MESSAGE("SKIPPED: no CUDA device (or LibTorch without CUDA): the GPU suite needs one");
  return false;
}

gpen::RestorerOptions on(const std::string& device, gpen::Precision precision = gpen::Precision::FP32) {
  gpen::RestorerOptions o;
  o.model_path = test::model("random-64.pt");
  o.device = device;
  o.precision = precision;
  o.max_batch = 8;
  return o;
}

}  // namespace

TEST_CASE("gpu: the exported graph on CUDA equals the CPU within 1e-3") {
  if (!have_gpu()) return;
  const gpen::detail::TorchModel cpu(test::model("random-64.pt"), torch::Device(torch::kCPU));
  const gpen::detail::TorchModel gpu(test::model("random-64.pt"), torch::Device(torch::kCUDA, 0));
  const torch::Tensor x = torch::rand({4, 3, 64, 64}) * 2 - 1;
  const torch::Tensor a = cpu.forward(x);
  const torch::Tensor b = gpu.forward(x.to(torch::Device(torch::kCUDA, 0))).cpu();
  const double diff = (a - b).abs().max().item<double>();
  MESSAGE("max |cuda - cpu| = " << diff);
  CHECK(diff <= 1e-3);
}

TEST_CASE("gpu: Restorer on CUDA gives the CPU's faces within 1 level; fp16 within 3 levels on average") {
  if (!have_gpu()) return;
  const cv::Mat face = test::smooth_pattern(64, 64, 1);
  const cv::Mat cpu = test::mat_of(gpen::Restorer(on("cpu")).restore_face(test::view_of(face)));
  const cv::Mat gpu = test::mat_of(gpen::Restorer(on("cuda")).restore_face(test::view_of(face)));
  CHECK(test::max_abs_diff(cpu, gpu) <= 1.0);
  const cv::Mat half = test::mat_of(gpen::Restorer(on("cuda:0", gpen::Precision::FP16)).restore_face(test::view_of(face)));
  cv::Mat diff;
  cv::absdiff(cpu, half, diff);
  const double mean = cv::mean(diff.reshape(1))[0];
  MESSAGE("fp16 vs fp32: mean |diff| " << mean << " levels, max " << test::max_abs_diff(cpu, half));
  CHECK(mean <= 3.0);
}

TEST_CASE("gpu: 1000 consecutive calls keep working and give the same face") {
  if (!have_gpu()) return;
  const gpen::Restorer r(on("cuda"));
  const cv::Mat face = test::smooth_pattern(64, 64, 2);
  const cv::Mat first = test::mat_of(r.restore_face(test::view_of(face)));
  for (int i = 0; i < 1000; ++i) r.restore_face(test::view_of(face));
  CHECK(test::max_abs_diff(test::mat_of(r.restore_face(test::view_of(face))), first) == 0.0);
}

TEST_CASE("gpu: whole photos on the device path give the CPU host path's result (mean < 0.5 levels)") {
  if (!have_gpu()) return;
  const cv::Mat photo = test::smooth_pattern(400, 300, 3);
  const std::vector<gpen::DetectedFace> faces = {test::face_at(20, 20, 0.3f), test::face_at(200, 90, 0.35f)};
  gpen::RestorerOptions cpu = on("cpu");
  cpu.photo_ops = gpen::PhotoOps::Host;
  for (const gpen::Mode mode : {gpen::Mode::Natural, gpen::Mode::Strong, gpen::Mode::Detail}) {
    gpen::RestoreParams p;
    p.mode = mode;
    const gpen::Restorer gpu(on("cuda"), std::make_unique<test::FakeDetector>(faces));  // Auto = device
    const gpen::Result dev = gpu.restore(test::view_of(photo), p);
    const gpen::Result ref = gpen::Restorer(cpu, std::make_unique<test::FakeDetector>(faces)).restore(test::view_of(photo), p);
    cv::Mat diff;
    cv::absdiff(test::mat_of(dev.image), test::mat_of(ref.image), diff);
    const double mean = cv::mean(diff.reshape(1))[0];
    MESSAGE(std::string(gpen::mode_name(mode)) << ": CUDA device path vs CPU host path: mean " << mean
                                               << ", max " << test::max_abs_diff(test::mat_of(dev.image), test::mat_of(ref.image)));
    CHECK(mean <= 0.5);
    CHECK(dev.faces.size() == 2);
  }
}

TEST_CASE("gpu: after the warm-up, 1000 calls of batch 1 to max_batch reserve no new memory") {
  if (!have_gpu()) return;
  const gpen::Restorer r(on("cuda"));
  const gpen::MemoryStats loaded = r.memory_stats();
  CHECK(loaded.device_memory);
  CHECK(loaded.total_bytes > 0);
  CHECK(loaded.reserved_bytes > 0);  // the warm-up ran
  const cv::Mat face = test::smooth_pattern(64, 64, 4);
  std::vector<gpen::ImageView> faces;
  auto call = [&](int i) {
    faces.assign(static_cast<std::size_t>(1 + i % 8), test::view_of(face));
    r.restore_faces(faces);
  };
  for (int i = 0; i < 8; ++i) call(i);  // each batch size once
  const gpen::MemoryStats steady = r.memory_stats();
  for (int i = 0; i < 1000; ++i) call(i);
  const gpen::MemoryStats end = r.memory_stats();
  MESSAGE("reserved: after load (warm-up) " << loaded.reserved_bytes << " B, after batch sizes 1-8 "
          << steady.reserved_bytes << " B, after 1000 more calls " << end.reserved_bytes << " B; peak allocated "
          << end.peak_allocated_bytes << " B");
  CHECK(end.reserved_bytes == steady.reserved_bytes);
  CHECK(steady.reserved_bytes - loaded.reserved_bytes <= (std::int64_t{4} << 20));
}

TEST_CASE("gpu: a memory cap too small for the model is a clear OutOfMemory error") {
  if (!have_gpu()) return;
  gpen::RestorerOptions o = on("cuda");
  o.model_path = test::model("identity-512.pt");
  o.max_batch = 64;
  o.memory_limit_mb = 64;
  try {
    gpen::Restorer r(o);
    MESSAGE("a 64 MiB cap was enough for 64 faces of 512 px (unexpected but not wrong)");
  } catch (const gpen::Error& e) {
    MESSAGE(e.what());
    CHECK((e.code() == gpen::ErrorCode::OutOfMemory || e.code() == gpen::ErrorCode::InvalidModel));
  }
  o.memory_limit_mb = 0;  // lift the process-wide cap for the cases after this one
  gpen::Restorer lifted(o);
  CHECK(lifted.has_model());
}

TEST_CASE("gpu: concurrent restores on their own streams give the single-thread result") {
  if (!have_gpu()) return;
  const std::vector<gpen::DetectedFace> faces = {test::face_at(20, 20, 0.3f), test::face_at(200, 90, 0.35f)};
  const gpen::Restorer r(on("cuda"), std::make_unique<test::FakeDetector>(faces));
  const cv::Mat photo = test::smooth_pattern(400, 300, 5);
  const cv::Mat expected = test::mat_of(r.restore(test::view_of(photo)).image);
  std::vector<cv::Mat> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 25; ++k) got[t] = test::mat_of(r.restore(test::view_of(photo)).image);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const cv::Mat& m : got) CHECK(test::max_abs_diff(m, expected) == 0.0);
}
