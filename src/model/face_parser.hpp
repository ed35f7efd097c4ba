#pragma once
// A face parser: a ParseNet export whose per-pixel classes give the paste-back mask of a restored
// face (skin, features and hair in; background, hat and cloth out), as the upstream pipeline does.

#include <torch/script.h>

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "device/cpu_block_cache.hpp"
#include "model/model_metadata.hpp"

namespace gpen::detail {

class FaceParser {
 public:
  /// Loads an export of `python -m gpen.export parsenet` onto `device`. Throws gpen::Error
  /// FileNotFound, InvalidModel or UnsupportedModel (another architecture).
  FaceParser(const std::string& path, const torch::Device& device);

  int size() const { return info_.size; }
  const std::string& path() const { return path_; }

  /// The class logits [N, classes, size, size] of input tensors [N, 3, size, size] (RGB in
  /// [-1, 1]) on the parser's device; checked (shape, finite). Thread-safe.
  torch::Tensor logits(const torch::Tensor& rgb) const;

  /// The upstream 0/255 mask of each face (8-bit BGR crops, any size): resized to size()
  /// (bilinear), argmax class mapped through the model's colour map. CV_8U, size() square.
  std::vector<cv::Mat> masks(const std::vector<cv::Mat>& faces) const;

  /// The paste-back mask of each face: masks() / 255 feathered as the rectangular mask
  /// (feathered_mask), resized to crop_size. CV_32F in [0, 1].
  std::vector<cv::Mat> paste_masks(const std::vector<cv::Mat>& faces, int crop_size) const;

 private:
  CpuBlockCache::Use cached_blocks_;  // keeps freed feature maps for the next call
  mutable torch::jit::Module module_;
  ParserInfo info_;
  torch::Device device_;
  std::string path_;
};

}  // namespace gpen::detail
