#pragma once
// The whole-photo path's image work as LibTorch tensor operations on the model's device:
// upload, warp faces out (affine_grid + grid_sample), mode finishing, warp back and blend
// under the feathered mask. The same code runs on the CPU (tests compare it with OpenCV).
// Tensors are pixel tensors (face_tensor.hpp): [N, 3, H, W] float BGR 0-255.

#include <torch/types.h>

#include <opencv2/core.hpp>
#include <vector>

#include "gpen/params.hpp"

namespace gpen::detail {

/// An 8-bit BGR image as a [1, 3, H, W] uint8 tensor on `device` (one upload, from pinned
/// memory and asynchronous on CUDA). A quarter of the float form's memory while it waits.
torch::Tensor upload_image_bytes(const cv::Mat& bgr, const torch::Device& device);

/// The same as a pixel tensor (float).
torch::Tensor upload_image(const cv::Mat& bgr, const torch::Device& device);

/// A float mask (CV_32F) as an [H, W] tensor on `device` (pinned, asynchronous on CUDA).
torch::Tensor upload_mask(const cv::Mat& mask, const torch::Device& device);

/// The affine map between normalised coordinates (align_corners = false) that corresponds to
/// `src_from_dst` in pixel coordinates, as affine_grid takes it: [2, 3], row-major.
cv::Matx23d normalised_affine(const cv::Matx23d& src_from_dst, cv::Size src, cv::Size dst);

/// Aligned crops of `photo` ([1, 3, H, W]): one size x size crop per photo -> crop transform,
/// bicubic, black outside the photo, rounded to whole levels. Returns [N, 3, size, size].
torch::Tensor warp_faces(const torch::Tensor& photo, const std::vector<cv::Matx23d>& crop_from_photo,
                         int size);

/// Mode finishing of restored faces ([N, 3, S, S], whole levels): Strong = per-channel levels
/// stretch (0.5 / 99.5 percentiles), Detail = unsharp mask (amount 0.5, sigma max(1, S/256));
/// the same rules as the host's finish_restored_face.
torch::Tensor finish_faces(const torch::Tensor& faces, const RestoreParams& params);

/// Blends each face into `canvas` ([1, 3, H, W], modified in place) where crop_from_canvas[i]
/// maps canvas pixels to the crop: canvas = canvas * (1 - a*m) + face * a*m, with the face and
/// the mask ([S, S] float) warped back bilinearly and a = alpha. Only each face's region is
/// touched.
void paste_faces(torch::Tensor& canvas, const torch::Tensor& faces,
                 const std::vector<cv::Matx23d>& crop_from_canvas, const torch::Tensor& mask,
                 double alpha);

}  // namespace gpen::detail
