#pragma once
// The reference pipeline's conversions between aligned face crops and model tensors.
//   in:  BGR uint8 (already model-size) -> /255 -> (x - 0.5) / 0.5 -> RGB -> NCHW float
//   out: y * 0.5 + 0.5 -> RGB -> BGR -> clip to [0, 1] -> * 255 -> truncate to uint8
// "Pixel tensors" are [N, 3, H, W] float BGR with values 0-255, on any device.

#include <torch/types.h>

#include <opencv2/core.hpp>
#include <vector>

namespace gpen::detail {

/// Stacks `faces[begin, end)` (8-bit BGR, all size x size) into a pixel tensor on `device`
/// (copied through pinned memory, asynchronously, for CUDA devices).
torch::Tensor faces_to_pixels(const std::vector<cv::Mat>& faces, std::size_t begin,
                              std::size_t end, const torch::Device& device);

/// Pixel tensor -> model input: RGB in [-1, 1], `dtype`.
torch::Tensor pixels_to_model(const torch::Tensor& pixels, torch::Dtype dtype);

/// Model output -> pixel tensor (float32), truncated to whole levels as the reference does.
torch::Tensor model_to_pixels(const torch::Tensor& rgb);

/// Pixel tensor -> 8-bit BGR images on the host (rounded, clamped to 0-255); one download,
/// through pinned memory for CUDA tensors.
std::vector<cv::Mat> pixels_to_mats(const torch::Tensor& pixels);

}  // namespace gpen::detail
