#include "face_enhancer.hpp"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "enhance.hpp"
#include "face_tensor.hpp"
#include "torch_model.hpp"

namespace gpen::detail {

namespace {

class GpenEnhancer : public FaceEnhancer {
 public:
  GpenEnhancer(const std::string& path, const torch::Device& device, torch::Dtype dtype, int max_batch)
      : model_(path, device, dtype), dtype_(dtype), max_batch_(static_cast<std::size_t>(max_batch)) {}

  const ModelInfo& info() const override { return model_.info(); }

  std::vector<cv::Mat> enhance(const std::vector<cv::Mat>& faces) const override {
    std::vector<cv::Mat> out;
    out.reserve(faces.size());
    for (std::size_t begin = 0; begin < faces.size(); begin += max_batch_) {
      const std::size_t end = std::min(faces.size(), begin + max_batch_);
      const torch::Tensor x = faces_to_tensor(faces, begin, end, model_.device(), dtype_);
      for (cv::Mat& face : tensor_to_faces(model_.forward(x))) out.push_back(face);
    }
    return out;
  }

 private:
  TorchModel model_;
  torch::Dtype dtype_;
  std::size_t max_batch_;
};

class ClassicEnhancer : public FaceEnhancer {
 public:
  ClassicEnhancer() {
    info_.architecture = "classic";
    info_.size = kClassicFaceSize;
  }

  const ModelInfo& info() const override { return info_; }

  std::vector<cv::Mat> enhance(const std::vector<cv::Mat>& faces) const override {
    std::vector<cv::Mat> out;
    out.reserve(faces.size());
    for (const cv::Mat& face : faces) {
      cv::Mat f = denoise(face, 30.0f);
      f = gray_world_balance(f, 0.5);
      f = local_contrast(f, 2.0, 8);
      out.push_back(unsharp_mask(f, 0.6, 1.5));
    }
    return out;
  }

 private:
  ModelInfo info_;
};

}  // namespace

std::unique_ptr<FaceEnhancer> make_gpen_enhancer(const std::string& path, const torch::Device& device,
                                                 torch::Dtype dtype, int max_batch) {
  return std::make_unique<GpenEnhancer>(path, device, dtype, max_batch);
}

std::unique_ptr<FaceEnhancer> make_classic_enhancer() { return std::make_unique<ClassicEnhancer>(); }

}  // namespace gpen::detail
