#include <cstdlib>
#include <filesystem>

#include "gpen/restorer.hpp"
#include "model/model_metadata.hpp"
#include "test_support.hpp"

namespace {

gpen::RestorerOptions options_for(const std::string& path) {
  gpen::RestorerOptions o;
  o.model_path = path;
  return o;
}

}  // namespace

TEST_CASE("model: a random-weight export loads and describes itself") {
  const gpen::Restorer r(options_for(test::model("random-64.pt")));
  CHECK(r.model().size == 64);
  CHECK(r.model().channel_multiplier == 1);
  CHECK(r.model().narrow == doctest::Approx(0.25));
  CHECK(r.model().architecture == "gpen");
  CHECK(r.model().random_weights);
  CHECK(r.model().exporter_version == "0.1.0");
}

// Published checkpoints (zip or legacy pickle) are converted once into the cache by
// `python3 -m gpen.models convert`; without Python, the error says so.
TEST_CASE("model: a published .pth is converted once into the cache, or refused clearly without Python") {
  const std::string cache = (std::filesystem::temp_directory_path() / "gpen-test-cache").string();
  std::filesystem::remove_all(cache);
  ::setenv("GPEN_HOME", cache.c_str(), 1);
  ::setenv("GPEN_PYTHON", "/nonexistent/python3", 1);
  CHECK_GPEN_ERROR(gpen::Restorer(options_for(test::model("legacy-checkpoint.pth"))), gpen::ErrorCode::InvalidModel,
                   "cannot start Python (/nonexistent/python3");
  ::unsetenv("GPEN_PYTHON");
  for (const char* name : {"legacy-checkpoint.pth", "checkpoint.pth"}) {
    const gpen::Restorer r(options_for(test::model(name)));
    CHECK(r.model().size == 64);
    CHECK(r.model().path.rfind(cache + "/converted/", 0) == 0);
    CHECK(gpen::read_model_info(test::model(name)).path == r.model().path);  // converted once, then reused
  }
  ::unsetenv("GPEN_HOME");
  std::filesystem::remove_all(cache);
}

TEST_CASE("model: bad model files give clear errors") {
  using gpen::ErrorCode;
  CHECK_GPEN_ERROR(gpen::Restorer(options_for(test::model("missing.pt"))), ErrorCode::FileNotFound,
                   "model file not found: ");
  CHECK_GPEN_ERROR(gpen::Restorer(options_for(test::model("truncated.pt"))), ErrorCode::InvalidModel,
                   "truncated or not a TorchScript archive");
  CHECK_GPEN_ERROR(gpen::Restorer(options_for(test::model("not-a-model.pt"))), ErrorCode::InvalidModel,
                   "is not a TorchScript archive");
  CHECK_GPEN_ERROR(gpen::read_model_info(test::model("truncated.pt")), ErrorCode::InvalidModel,
                   "truncated or not a TorchScript archive");
  CHECK_GPEN_ERROR(gpen::Restorer(options_for(test::model("no-meta.pt"))), ErrorCode::InvalidModel,
                   "has no gpen/meta.json metadata");
  CHECK_GPEN_ERROR(gpen::Restorer(options_for(test::model("bad-version.pt"))),
                   ErrorCode::UnsupportedModel, "format_version is 99");
  CHECK_GPEN_ERROR(gpen::Restorer(options_for(test::models_dir())), ErrorCode::InvalidModel,
                   "is not a regular file");
}

TEST_CASE("model: no model path means the classic path") {
  const gpen::Restorer r(options_for(""));
  CHECK_FALSE(r.has_model());
  CHECK(r.model().architecture == "classic");
  CHECK(r.model().size == 512);
}

TEST_CASE("model: bad options and unavailable devices give clear errors") {
  using gpen::ErrorCode;
  auto o = options_for(test::model("random-64.pt"));
  o.device = "gpu";
  CHECK_GPEN_ERROR(gpen::Restorer{o}, ErrorCode::InvalidArgument, "got \"gpu\"");
  o.device = "cuda:x";
  CHECK_GPEN_ERROR(gpen::Restorer{o}, ErrorCode::InvalidArgument, "got \"cuda:x\"");
  o = options_for(test::model("random-64.pt"));
  o.max_batch = 0;
  CHECK_GPEN_ERROR(gpen::Restorer{o}, ErrorCode::InvalidArgument, "max_batch must be 1-256, got 0");
  o = options_for(test::model("random-64.pt"));
  o.threads = -2;
  CHECK_GPEN_ERROR(gpen::Restorer{o}, ErrorCode::InvalidArgument, "threads must be");
  o = options_for(test::model("random-64.pt"));
  o.precision = gpen::Precision::FP16;
  CHECK_GPEN_ERROR(gpen::Restorer{o}, ErrorCode::InvalidArgument, "fp16 needs a CUDA device");
}

TEST_CASE("model: bf16 on the CPU is close to fp32, or refused clearly without AVX-512") {
  const cv::Mat face = test::smooth_pattern(64, 64, 3);
  auto o = options_for(test::model("random-64.pt"));
  const gpen::Restorer fp32(o);
  o.precision = gpen::Precision::BF16;
  try {
    const gpen::Restorer bf16(o);
    const cv::Mat a = test::mat_of(fp32.restore_face(test::view_of(face)));
    const cv::Mat b = test::mat_of(bf16.restore_face(test::view_of(face)));
    cv::Mat diff;
    cv::absdiff(a, b, diff);
    const double mean = cv::mean(diff.reshape(1))[0];
    MESSAGE("bf16 vs fp32: mean |diff| " << mean << " levels, max " << test::max_abs_diff(a, b));
    CHECK(mean <= 6.0);
  } catch (const gpen::Error& e) {
    CHECK(e.code() == gpen::ErrorCode::InvalidArgument);
    CHECK(std::string(e.what()).find("needs AVX-512") != std::string::npos);
  }
}

TEST_CASE("model: CUDA requested without CUDA is a DeviceUnavailable error, not a crash") {
  auto o = options_for(test::model("random-64.pt"));
  o.device = "cuda:0";
  bool cuda = false;
  try {
    gpen::Restorer r(o);
    cuda = true;
  } catch (const gpen::Error& e) {
    CHECK(e.code() == gpen::ErrorCode::DeviceUnavailable);
    CHECK(std::string(e.what()).find("cuda:0") != std::string::npos);
  }
  if (cuda) MESSAGE("a CUDA device is present; the unavailable-device error was not exercised");
  o.device = "cuda:999";
  CHECK_THROWS_AS(gpen::Restorer{o}, gpen::Error);
}

TEST_CASE("model loading: a model whose output is wrong is refused with a clear error, never read past") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bad-batch.pt", "returned a tensor of shape [1, 3, 64, 64] for an input of [2, 3, 64, 64]"},
      {"bad-channels.pt", "returned a tensor of shape [2, 1, 64, 64]"},
      {"bad-size.pt", "returned a tensor of shape [2, 3, 128, 128]"},
      {"bad-nan.pt", "returned non-finite values (NaN or infinity)"},
      {"bad-int.pt", "returned Long values; a GPEN model returns floating point"},
      {"bad-tuple.pt", "returned a Tuple, not a tensor"}};
  const cv::Mat face = test::smooth_pattern(64, 64, 5);
  for (const auto& c : cases) {  // not a structured binding: CAPTURE's lambda cannot capture one (C++17)
    const std::string& name = c.first;
    const std::string& message = c.second;
    CAPTURE(name);
    if (!test::available(test::model(name))) continue;
    gpen::RestorerOptions o;
    o.model_path = test::model(name);
    const gpen::Restorer r(o);
    CHECK_GPEN_ERROR(r.restore_faces({test::view_of(face), test::view_of(face)}), gpen::ErrorCode::InvalidModel,
                     message);
  }
}

TEST_CASE("model metadata: malformed or hostile values are InvalidModel/UnsupportedModel, never a crash") {
  const std::string head = R"({"format": "gpen-torchscript", "format_version": 1, )";
  // Found by fuzz_model_metadata: a nested key of a scalar made OpenCV throw past the checks.
  CHECK_THROWS_AS(gpen::detail::parse_model_metadata(head + R"("architecture": "gpen", "size": 64, "input": 5, "source": 7})", "m.pt"),
                  gpen::Error);
  CHECK_GPEN_ERROR(gpen::detail::parse_model_metadata(head + R"("architecture": "gpen", "size": 1e300})", "m.pt"),
                   gpen::ErrorCode::InvalidModel, "is not a power of two");
  const std::string retina = head + R"("architecture": "retinaface", "backbone": "mobilenet0.25", "variance": [0.1, 0.2],
      "input": {"mean": [104, 117, 123]}, )";
  CHECK(gpen::detail::parse_retinaface_metadata(retina + R"("min_sizes": [[16, 32]], "steps": [8]})", "r.pt").steps[0] == 8);
  for (const char* bad : {R"("min_sizes": [[16, 32]], "steps": [1e300]})", R"("min_sizes": [[16, 32]], "steps": [0]})",
                          R"("min_sizes": [["a"]], "steps": [8]})", R"("min_sizes": 3, "steps": [8]})",
                          R"("min_sizes": [[16], [32]], "steps": [8]})"}) {
    CAPTURE(bad);
    CHECK_GPEN_ERROR(gpen::detail::parse_retinaface_metadata(retina + bad, "r.pt"), gpen::ErrorCode::InvalidModel,
                     "RetinaFace metadata lacks");
  }
}
