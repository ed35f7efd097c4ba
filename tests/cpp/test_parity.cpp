// Parity with the reference implementation's output on the published-format fixture.

#include "torch_first.hpp"  // before doctest

#include <opencv2/imgcodecs.hpp>

#include "device/face_tensor.hpp"
#include "gpen/io.hpp"
#include "gpen/restorer.hpp"
#include "test_support.hpp"
#include "model/torch_model.hpp"

namespace {

std::string fixture(const std::string& name) {
  return test::shared_dir() + "/fixtures/gpen/parity-64/" + name;
}

torch::Tensor npy_tensor(const std::string& path) {
  std::vector<long> shape;
  std::vector<float> data = test::read_npy(path, shape);
  std::vector<int64_t> sizes(shape.begin(), shape.end());
  return torch::from_blob(data.data(), sizes, torch::kFloat32).clone();
}

}  // namespace

TEST_CASE("parity: exported fixture checkpoint matches the reference output tensor") {
  if (!test::available(fixture("output_tensor.npy")) || !test::available(test::model("parity-64.pt"))) return;
  const gpen::detail::TorchModel model(test::model("parity-64.pt"), torch::Device(torch::kCPU));
  const torch::Tensor input = npy_tensor(fixture("input_tensor.npy"));
  const torch::Tensor expected = npy_tensor(fixture("output_tensor.npy"));
  const torch::Tensor out = model.forward(input);
  REQUIRE(out.sizes() == expected.sizes());
  const double diff = (out - expected).abs().max().item<double>();
  MESSAGE("max |ours - reference| = " << diff);
  CHECK(diff <= 1e-4);
}

TEST_CASE("parity: our preprocessing of input.png equals the reference input tensor") {
  if (!test::available(fixture("input_tensor.npy"))) return;
  const cv::Mat face = cv::imread(fixture("input.png"));
  const torch::Tensor ours = gpen::detail::pixels_to_model(
      gpen::detail::faces_to_pixels({face}, 0, 1, torch::Device(torch::kCPU)), torch::kFloat32);
  const torch::Tensor expected = npy_tensor(fixture("input_tensor.npy"));
  CHECK((ours - expected).abs().max().item<double>() <= 1e-6);
}

TEST_CASE("parity: Restorer on input.png reproduces output.png within 1 level") {
  if (!test::available(fixture("output.png")) || !test::available(test::model("parity-64.pt"))) return;
  gpen::RestorerOptions options;
  options.model_path = test::model("parity-64.pt");
  const gpen::Restorer restorer(options);
  const gpen::Image input = gpen::read_image(fixture("input.png"));
  const gpen::Image out = restorer.restore_face(input.view());
  const double diff = test::max_abs_diff(test::mat_of(out), cv::imread(fixture("output.png")));
  MESSAGE("max |ours - output.png| = " << diff << " levels");
  CHECK(diff <= 1.0);
}
