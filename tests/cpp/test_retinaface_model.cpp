// The exported RetinaFace graph against the reference implementation's raw outputs.

#include "torch_first.hpp"  // before doctest

#include "gpen/detector.hpp"
#include "detect/retinaface_decode.hpp"
#include "test_support.hpp"
#include "model/torchscript_file.hpp"

namespace {

torch::Tensor npy_tensor(const std::string& path) {
  std::vector<long> shape;
  std::vector<float> data = test::read_npy(path, shape);
  return torch::from_blob(data.data(), std::vector<int64_t>(shape.begin(), shape.end()), torch::kFloat32).clone();
}

}  // namespace

TEST_CASE("retinaface: exported MobileNet-0.25 fixture matches the reference raw outputs") {
  const std::string dir = test::shared_dir() + "/fixtures/retinaface/parity-mobilenet0.25/";
  if (!test::available(dir + "loc.npy") || !test::available(test::model("retinaface-parity.pt"))) return;
  auto file = gpen::detail::load_torchscript(test::model("retinaface-parity.pt"), torch::Device(torch::kCPU));
  file.module.eval();
  c10::InferenceMode guard;
  const auto out = file.module.forward({npy_tensor(dir + "input_tensor.npy")}).toTuple();
  const std::string names[] = {"loc", "conf", "landms"};
  for (int i = 0; i < 3; ++i) {
    const torch::Tensor expected = npy_tensor(dir + names[i] + ".npy");
    const torch::Tensor ours = out->elements()[i].toTensor();
    REQUIRE(ours.sizes() == expected.sizes());
    const double diff = (ours - expected).abs().max().item<double>();
    MESSAGE(names[i] << ": max |ours - reference| = " << diff);
    CHECK(diff <= 1e-4);
  }
}

TEST_CASE("retinaface: the detector runs end to end and keeps only confident, separate faces") {
  const auto det = gpen::make_face_detector("retinaface:" + test::model("retinaface-random.pt"));
  CHECK(det->name() == "retinaface");
  const cv::Mat photo = test::smooth_pattern(320, 240);
  const std::vector<gpen::DetectedFace> faces = det->detect(test::view_of(photo), 32.0f, 6000);
  MESSAGE(faces.size() << " detections from random weights");
  std::vector<gpen::Box> boxes;
  std::vector<float> scores;
  for (const gpen::DetectedFace& f : faces) {
    CHECK(f.score >= 0.9f);
    CHECK(f.box.width >= 32.0f);
    CHECK(std::isfinite(f.box.x));
    boxes.push_back(f.box);
    scores.push_back(f.score);
  }
  // NMS already ran: running it again removes nothing.
  CHECK(gpen::detail::non_max_suppression(boxes, scores, 0.4f).size() == faces.size());
  // A GPEN model is not a detector.
  CHECK_GPEN_ERROR(gpen::make_face_detector("retinaface:" + test::model("random-64.pt")),
                   gpen::ErrorCode::UnsupportedModel, "architecture 'gpen' is not 'retinaface'");
}
