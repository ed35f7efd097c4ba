// GPU suite (ctest -L gpu): runs where LibTorch has CUDA and a device is present; elsewhere every
// case says it is skipped. Only device-generic LibTorch calls here, so it builds everywhere.

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "../cpp/torch_first.hpp"  // before doctest

#include <torch/cuda.h>

#include "../cpp/test_support.hpp"
#include "gpen/restorer.hpp"
#include "torch_model.hpp"

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
