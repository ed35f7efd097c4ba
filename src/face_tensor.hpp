#pragma once
// The reference pipeline's conversions between aligned face crops and model tensors.
//   in:  BGR uint8 (already model-size) -> /255 -> (x - 0.5) / 0.5 -> RGB -> NCHW float
//   out: y * 0.5 + 0.5 -> RGB -> BGR -> clip to [0, 1] -> * 255 -> truncate to uint8

#include <torch/types.h>

#include <opencv2/core.hpp>
#include <vector>

namespace gpen::detail {

/// Stacks `faces[begin, end)` (8-bit BGR, all size x size) into [N, 3, size, size] on `device`.
torch::Tensor faces_to_tensor(const std::vector<cv::Mat>& faces, std::size_t begin,
                              std::size_t end, const torch::Device& device,
                              torch::Dtype dtype);

/// Converts a model output batch back to 8-bit BGR images.
std::vector<cv::Mat> tensor_to_faces(const torch::Tensor& rgb);

}  // namespace gpen::detail
