#include "detect/retinaface_detector.hpp"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "detect/detection_image.hpp"
#include "device/cpu_block_cache.hpp"
#include "device/device.hpp"
#include "gpen/error.hpp"
#include "imaging/image_convert.hpp"
#include "model/model_metadata.hpp"
#include "detect/retinaface_decode.hpp"
#include "model/torchscript_file.hpp"

namespace gpen::detail {

namespace {

// The reference detector's thresholds.
constexpr float kScoreThreshold = 0.9f;
constexpr float kNmsIou = 0.4f;
// Faces are found down to about the smallest prior (16 px); smaller ones need upsampling.
constexpr double kSmallestPrior = 16.0;

class RetinaFaceDetector : public FaceDetector {
 public:
  RetinaFaceDetector(const std::string& path, const std::string& device)
      : device_(resolve_device(device)) {
    TorchScriptFile file = load_torchscript(path, device_);
    const RetinaFaceInfo info = parse_retinaface_metadata(file.metadata, path);
    config_.min_sizes = info.min_sizes;
    config_.steps = info.steps;
    config_.variance_center = static_cast<float>(info.variance[0]);
    config_.variance_size = static_cast<float>(info.variance[1]);
    mean_ = {info.mean[0], info.mean[1], info.mean[2]};
    path_ = path;
    module_ = frozen_for_inference(file.module, path);
  }

  std::string name() const override { return "retinaface"; }

  std::vector<DetectedFace> detect(const ImageView& image, float min_face_size,
                                   int max_side) const override {
    const cv::Mat bgr = to_bgr8(image, "photo");
    double scale = 1.0;
    const cv::Mat work = detection_image(bgr, std::max(1.0, kSmallestPrior / std::max(8.0f, min_face_size)),
                                         max_side, scale);
    const int h = work.rows, w = work.cols;
    torch::Tensor x = torch::from_blob(work.data, {h, w, 3}, torch::kUInt8).to(device_);
    x = x.permute({2, 0, 1}).to(torch::kFloat32).unsqueeze(0);
    x = x - torch::tensor({mean_[0], mean_[1], mean_[2]}, torch::kFloat32).to(device_).view({1, 3, 1, 1});
    std::vector<torch::Tensor> outs;
    {
      c10::InferenceMode guard;
      CpuBlockCache::Scope cached_blocks;
      try {
        const auto result = module_.forward({x.contiguous()}).toTuple();
        for (const auto& v : result->elements()) outs.push_back(v.toTensor().to(torch::kCPU).contiguous());
      } catch (const c10::Error& e) {
        throw Error(ErrorCode::Internal,
                    "RetinaFace model " + path_ + " failed: " + first_line(e.what_without_backtrace()));
      }
    }
    const std::vector<Prior> priors = retinaface_priors(h, w, config_);
    if (outs.size() != 3 || outs[0].numel() != static_cast<int64_t>(priors.size()) * 4) {
      throw Error(ErrorCode::InvalidModel, "RetinaFace model " + path_ +
                                               " returned outputs that do not match its priors");
    }
    std::vector<DetectedFace> faces =
        decode_retinaface(outs[0].data_ptr<float>(), outs[1].data_ptr<float>(),
                          outs[2].data_ptr<float>(), priors, w, h, config_, kScoreThreshold, kNmsIou);
    std::vector<DetectedFace> kept;
    const float inv = static_cast<float>(1.0 / scale);
    for (DetectedFace f : faces) {
      f.box = {f.box.x * inv, f.box.y * inv, f.box.width * inv, f.box.height * inv};
      for (Point& p : f.landmarks) p = {p.x * inv, p.y * inv};
      if (f.box.width >= min_face_size) kept.push_back(f);
    }
    return kept;
  }

 private:
  torch::Device device_;
  CpuBlockCache::Use cached_blocks_;  // keeps freed feature maps for the next call
  mutable torch::jit::Module module_;
  RetinaFaceConfig config_;
  std::array<double, 3> mean_{};
  std::string path_;
};

}  // namespace

std::unique_ptr<FaceDetector> make_retinaface_detector(const std::string& path,
                                                       const std::string& device) {
  return std::make_unique<RetinaFaceDetector>(path, device);
}

}  // namespace gpen::detail
