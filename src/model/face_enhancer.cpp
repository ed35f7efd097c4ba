#include "model/face_enhancer.hpp"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "imaging/classic_enhance.hpp"
#include "imaging/filters.hpp"
#include "device/face_tensor.hpp"
#include "model/torch_model.hpp"

namespace gpen::detail {

namespace {

// Tensor cores take NHWC: reduced precision on CUDA runs channels-last (weights and inputs).
bool channels_last(const torch::Device& device, torch::Dtype dtype) {
  return device.is_cuda() && dtype != torch::kFloat32;
}

class GpenEnhancer : public FaceEnhancer {
 public:
  GpenEnhancer(const std::string& path, const torch::Device& device, torch::Dtype dtype, int max_batch)
      : model_(path, device, dtype, channels_last(device, dtype)),
        dtype_(dtype),
        max_batch_(static_cast<std::size_t>(max_batch)) {}

  const ModelInfo& info() const override { return model_.info(); }

  torch::Device device() const override { return model_.device(); }

  std::vector<cv::Mat> enhance(const std::vector<cv::Mat>& faces) const override {
    std::vector<cv::Mat> out;
    out.reserve(faces.size());
    for (std::size_t begin = 0; begin < faces.size(); begin += max_batch_) {
      const std::size_t end = std::min(faces.size(), begin + max_batch_);
      const torch::Tensor restored = run(faces_to_pixels(faces, begin, end, model_.device()));
      for (cv::Mat& face : pixels_to_mats(restored)) out.push_back(face);
    }
    return out;
  }

  torch::Tensor enhance_pixels(const torch::Tensor& faces) const override {
    const int64_t n = faces.size(0);
    if (n <= static_cast<int64_t>(max_batch_)) return run(faces);
    std::vector<torch::Tensor> parts;
    for (int64_t begin = 0; begin < n; begin += static_cast<int64_t>(max_batch_)) {
      parts.push_back(run(faces.narrow(0, begin, std::min<int64_t>(max_batch_, n - begin))));
    }
    return torch::cat(parts);
  }

 private:
  // One model call: pixels -> model input -> model -> pixels.
  torch::Tensor run(const torch::Tensor& pixels) const {
    torch::Tensor x = pixels_to_model(pixels, dtype_);
    if (channels_last(model_.device(), dtype_)) x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    return model_to_pixels(model_.forward(x));
  }

  TorchModel model_;
  torch::Dtype dtype_;
  std::size_t max_batch_;
};

class ClassicEnhancer : public FaceEnhancer {
 public:
  ClassicEnhancer() {
    info_.architecture = "classic";
    info_.size = kClassicFaceSize;
    info_.input_size = kClassicFaceSize;
  }

  const ModelInfo& info() const override { return info_; }

  std::vector<cv::Mat> enhance(const std::vector<cv::Mat>& faces) const override {
    std::vector<cv::Mat> out;
    out.reserve(faces.size());
    for (const cv::Mat& face : faces) out.push_back(careful_enhance(face));
    return out;
  }

 private:
  ModelInfo info_;
};

}  // namespace

torch::Tensor FaceEnhancer::enhance_pixels(const torch::Tensor& faces) const {
  const std::vector<cv::Mat> restored = enhance(pixels_to_mats(faces));
  return faces_to_pixels(restored, 0, restored.size(), faces.device());
}

std::unique_ptr<FaceEnhancer> make_gpen_enhancer(const std::string& path, const torch::Device& device,
                                                 torch::Dtype dtype, int max_batch) {
  return std::make_unique<GpenEnhancer>(path, device, dtype, max_batch);
}

std::unique_ptr<FaceEnhancer> make_classic_enhancer() { return std::make_unique<ClassicEnhancer>(); }

}  // namespace gpen::detail
