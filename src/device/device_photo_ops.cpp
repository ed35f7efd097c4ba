#include "device/device_photo_ops.hpp"

#include <torch/nn/functional.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "device/cuda_support.hpp"
#include "imaging/paste_back.hpp"

namespace gpen::detail {

namespace F = torch::nn::functional;
using torch::indexing::Slice;

namespace {

// Pixel x (centre of pixel x at x, 0-based) <-> normalised xn = (2x + 1) / W - 1.
cv::Matx33d pixel_to_normalised(cv::Size s) {
  return cv::Matx33d(2.0 / s.width, 0, 1.0 / s.width - 1.0, 0, 2.0 / s.height, 1.0 / s.height - 1.0, 0, 0, 1);
}

cv::Matx33d normalised_to_pixel(cv::Size s) {
  return cv::Matx33d(s.width / 2.0, 0, (s.width - 1) / 2.0, 0, s.height / 2.0, (s.height - 1) / 2.0, 0, 0, 1);
}

cv::Matx33d to3(const cv::Matx23d& m) {
  return cv::Matx33d(m(0, 0), m(0, 1), m(0, 2), m(1, 0), m(1, 1), m(1, 2), 0, 0, 1);
}

// theta rows for affine_grid, [n, 2, 3] float on `device`: one asynchronous copy from pinned
// memory (a pageable copy would wait for everything queued on the stream).
torch::Tensor thetas(const std::vector<cv::Matx23d>& maps, const torch::Device& device) {
  torch::Tensor t = torch::empty({static_cast<int64_t>(maps.size()), 2, 3}, torch::kFloat32);
  float* p = t.data_ptr<float>();
  for (const cv::Matx23d& m : maps) {
    for (int k = 0; k < 6; ++k) *p++ = static_cast<float>(m.val[k]);
  }
  return copy_to_device(t, device);
}

torch::Tensor gaussian_kernel(double sigma, const torch::Device& device) {
  // OpenCV's size for 8-bit images: 2 * round(3 sigma) + 1 taps.
  const int radius = std::max(1, static_cast<int>(std::lround(3.0 * sigma)));
  const torch::Tensor x = torch::arange(-radius, radius + 1, torch::TensorOptions().dtype(torch::kFloat32).device(device));
  const torch::Tensor k = torch::exp(-(x * x) / (2.0 * sigma * sigma));
  return k / k.sum();
}

// Separable Gaussian blur of [N, C, H, W] with reflect-101 borders (OpenCV's default).
torch::Tensor gaussian_blur(const torch::Tensor& x, double sigma) {
  const torch::Tensor k = gaussian_kernel(sigma, x.device());
  const int64_t r = (k.size(0) - 1) / 2;
  const int64_t c = x.size(1);
  const torch::Tensor kx = k.view({1, 1, 1, -1}).expand({c, 1, 1, k.size(0)}).contiguous();
  const torch::Tensor ky = k.view({1, 1, -1, 1}).expand({c, 1, k.size(0), 1}).contiguous();
  torch::Tensor y = F::pad(x, F::PadFuncOptions({r, r, 0, 0}).mode(torch::kReflect));
  y = F::conv2d(y, kx, F::Conv2dFuncOptions().groups(c));
  y = F::pad(y, F::PadFuncOptions({0, 0, r, r}).mode(torch::kReflect));
  return F::conv2d(y, ky, F::Conv2dFuncOptions().groups(c));
}

// Per image and channel: map the `low` / `high` percentiles to 0 / 255 (channels whose
// percentiles are under 8 levels apart are left alone). Values are whole levels 0-255.
torch::Tensor auto_levels(const torch::Tensor& faces, double low, double high) {
  const int64_t n = faces.size(0), c = faces.size(1);
  const torch::Tensor flat = faces.reshape({n * c, -1});
  const double total = static_cast<double>(flat.size(1));
  torch::Tensor hist = torch::zeros({n * c, 256}, faces.options());
  hist.scatter_add_(1, flat.clamp(0, 255).to(torch::kLong), torch::ones_like(flat));
  const torch::Tensor below = hist.cumsum(1);                      // values <= v
  const torch::Tensor above = hist.flip({1}).cumsum(1).flip({1});  // values >= v
  // First v whose count from below reaches low%, last v whose count from above reaches (100-high)%.
  const torch::Tensor lo = (below < total * low / 100.0).sum(1, true).to(torch::kFloat32);
  const torch::Tensor hi = (above >= total * (100.0 - high) / 100.0).sum(1, true).to(torch::kFloat32) - 1.0;
  const torch::Tensor stretch = (hi - lo) >= 8.0;
  const torch::Tensor scale = torch::where(stretch, 255.0 / (hi - lo).clamp_min(1.0), torch::ones_like(lo));
  const torch::Tensor offset = torch::where(stretch, lo, torch::zeros_like(lo));
  return ((flat - offset) * scale).round().clamp(0.0, 255.0).reshape(faces.sizes());
}

}  // namespace

torch::Tensor upload_image(const cv::Mat& bgr, const torch::Device& device) {
  return upload_image_bytes(bgr, device).to(torch::kFloat32);
}

torch::Tensor upload_image_bytes(const cv::Mat& bgr, const torch::Device& device) {
  CV_Assert(bgr.type() == CV_8UC3);
  const torch::Tensor view = torch::from_blob(bgr.data, {bgr.rows, bgr.cols, 3},
                                              {static_cast<int64_t>(bgr.step[0]), 3, 1}, torch::kUInt8);
  return copy_to_device(view, device).permute({2, 0, 1}).unsqueeze(0);
}

torch::Tensor upload_mask(const cv::Mat& mask, const torch::Device& device) {
  CV_Assert(mask.type() == CV_32F && mask.isContinuous());
  return copy_to_device(torch::from_blob(mask.data, {mask.rows, mask.cols}, torch::kFloat32), device);
}

cv::Matx23d normalised_affine(const cv::Matx23d& src_from_dst, cv::Size src, cv::Size dst) {
  const cv::Matx33d m = pixel_to_normalised(src) * to3(src_from_dst) * normalised_to_pixel(dst);
  return cv::Matx23d(m(0, 0), m(0, 1), m(0, 2), m(1, 0), m(1, 1), m(1, 2));
}

torch::Tensor warp_faces(const torch::Tensor& photo, const std::vector<cv::Matx23d>& crop_from_photo,
                         int size) {
  const cv::Size photo_size(static_cast<int>(photo.size(3)), static_cast<int>(photo.size(2)));
  const auto n = static_cast<int64_t>(crop_from_photo.size());
  std::vector<cv::Matx23d> maps;
  for (const cv::Matx23d& m : crop_from_photo) {
    maps.push_back(normalised_affine(invert_affine(m), photo_size, cv::Size(size, size)));
  }
  // All crops' grids stacked vertically into one: a single grid_sample over the photo.
  const torch::Tensor grid = F::affine_grid(thetas(maps, photo.device()), {n, 3, size, size}, false);
  constexpr int64_t kBicubic = 2, kZeros = 0;  // grid_sampler's interpolation and padding codes
  const torch::Tensor crops =
      torch::grid_sampler(photo, grid.reshape({1, n * size, size, 2}), kBicubic, kZeros, /*align_corners=*/false);
  return crops.reshape({3, n, size, size}).permute({1, 0, 2, 3}).round().clamp(0.0, 255.0);
}

torch::Tensor finish_faces(const torch::Tensor& faces, const RestoreParams& params) {
  if (params.mode == Mode::Strong) return auto_levels(faces, 0.5, 99.5);
  if (params.mode == Mode::Detail) {
    const double sigma = std::max(1.0, static_cast<double>(faces.size(3)) / 256.0);
    const double amount = 0.5;
    return (faces * (1.0 + amount) - gaussian_blur(faces, sigma) * amount).round().clamp(0.0, 255.0);
  }
  return faces;
}

void paste_faces(torch::Tensor& canvas, const torch::Tensor& faces,
                 const std::vector<cv::Matx23d>& crop_from_canvas, const torch::Tensor& mask,
                 double alpha) {
  if (alpha <= 0.0) return;
  const int size = static_cast<int>(faces.size(3));
  const cv::Size canvas_size(static_cast<int>(canvas.size(3)), static_cast<int>(canvas.size(2)));
  const cv::Size crop(size, size);
  const torch::Tensor layers = torch::cat({faces, mask.view({1, 1, size, size}).expand({faces.size(0), 1, size, size})}, 1);
  // Each face's region of the canvas, and the map from that region to the crop.
  std::vector<cv::Rect> regions;
  std::vector<cv::Matx23d> maps;
  for (const cv::Matx23d& m : crop_from_canvas) {
    const cv::Rect roi = paste_region(invert_affine(m), crop, canvas_size);
    cv::Matx23d crop_from_roi = m;
    crop_from_roi(0, 2) += m(0, 0) * roi.x + m(0, 1) * roi.y;
    crop_from_roi(1, 2) += m(1, 0) * roi.x + m(1, 1) * roi.y;
    regions.push_back(roi);
    maps.push_back(roi.empty() ? m : normalised_affine(crop_from_roi, crop, roi.size()));
  }
  const torch::Tensor all_thetas = thetas(maps, canvas.device());
  for (std::size_t i = 0; i < regions.size(); ++i) {
    const cv::Rect& roi = regions[i];
    if (roi.empty()) continue;
    const torch::Tensor grid =
        F::affine_grid(all_thetas.narrow(0, static_cast<int64_t>(i), 1), {1, 4, roi.height, roi.width}, false);
    const torch::Tensor warped = F::grid_sample(
        layers.narrow(0, static_cast<int64_t>(i), 1), grid,
        F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(false));
    const torch::Tensor w = warped.narrow(1, 3, 1).clamp(0.0, 1.0) * alpha;
    torch::Tensor target = canvas.index({Slice(), Slice(), Slice(roi.y, roi.y + roi.height), Slice(roi.x, roi.x + roi.width)});
    target.copy_(target * (1.0 - w) + warped.narrow(1, 0, 3) * w);
  }
}

}  // namespace gpen::detail
