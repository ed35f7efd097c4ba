#pragma once
// What turns aligned face crops into restored ones: the GPEN model, or the classic
// (model-free) path.

#include <torch/types.h>

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "gpen/model_info.hpp"

namespace gpen::detail {

class FaceEnhancer {
 public:
  virtual ~FaceEnhancer() = default;
  virtual const ModelInfo& info() const = 0;
  /// Crops are 8-bit BGR, info().input_size square; returns restored crops info().size square.
  /// Thread-safe.
  virtual std::vector<cv::Mat> enhance(const std::vector<cv::Mat>& faces) const = 0;
  /// The same on the device: pixel tensor [N, 3, S, S] (face_tensor.hpp) in, restored pixel
  /// tensor out, on device(). Thread-safe. By default through the host: download, enhance(),
  /// upload (the GPEN enhancer stays on its device).
  virtual torch::Tensor enhance_pixels(const torch::Tensor& faces) const;
  /// Where enhance_pixels works.
  virtual torch::Device device() const { return torch::Device(torch::kCPU); }
};

/// GPEN through LibTorch, `max_batch` faces per model call.
std::unique_ptr<FaceEnhancer> make_gpen_enhancer(const std::string& path, const torch::Device& device,
                                                 torch::Dtype dtype, int max_batch);

/// Size of the crops the classic path works on.
constexpr int kClassicFaceSize = 512;

/// The classic path, per face: careful_enhance (imaging/classic_enhance.hpp): noise removed
/// where the crop is noisy, colour kept; pasted back as a change (PhotoJob::paste_change).
std::unique_ptr<FaceEnhancer> make_classic_enhancer();

}  // namespace gpen::detail
