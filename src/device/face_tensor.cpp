#include "device/face_tensor.hpp"

#include <cstring>

#include "device/cuda_support.hpp"

namespace gpen::detail {

torch::Tensor faces_to_pixels(const std::vector<cv::Mat>& faces, std::size_t begin,
                              std::size_t end, const torch::Device& device) {
  const int size = faces[begin].rows;
  const auto n = static_cast<int64_t>(end - begin);
  torch::Tensor bytes = torch::empty({n, size, size, 3}, host_staging(device, torch::kUInt8));
  const std::size_t face_bytes = static_cast<std::size_t>(size) * size * 3;
  for (std::size_t i = begin; i < end; ++i) {
    const cv::Mat& face = faces[i];
    CV_Assert(face.type() == CV_8UC3 && face.rows == size && face.cols == size && face.isContinuous());
    std::memcpy(bytes.data_ptr<uint8_t>() + (i - begin) * face_bytes, face.data, face_bytes);
  }
  return bytes.to(device, /*non_blocking=*/true).permute({0, 3, 1, 2}).to(torch::kFloat32);
}

torch::Tensor pixels_to_model(const torch::Tensor& pixels, torch::Dtype dtype) {
  torch::Tensor x = pixels.div(255.0).sub(0.5).div(0.5).flip({1});
  return x.to(dtype).contiguous();
}

torch::Tensor model_to_pixels(const torch::Tensor& rgb) {
  return rgb.to(torch::kFloat32).mul(0.5).add(0.5).flip({1}).clamp(0.0, 1.0).mul(255.0).floor();
}

std::vector<cv::Mat> pixels_to_mats(const torch::Tensor& pixels) {
  const torch::Tensor bytes =
      pixels.round().clamp(0.0, 255.0).to(torch::kUInt8).permute({0, 2, 3, 1}).contiguous();
  torch::Tensor host = bytes;
  if (!bytes.device().is_cpu()) {
    host = torch::empty(bytes.sizes(), host_staging(bytes.device(), torch::kUInt8));
    host.copy_(bytes, /*non_blocking=*/true);
    synchronize_current_stream(bytes.device());
  }
  const int n = static_cast<int>(host.size(0));
  const int h = static_cast<int>(host.size(1));
  const int w = static_cast<int>(host.size(2));
  std::vector<cv::Mat> images;
  images.reserve(n);
  const std::size_t image_bytes = static_cast<std::size_t>(h) * w * 3;
  for (int i = 0; i < n; ++i) {
    cv::Mat image(h, w, CV_8UC3);
    std::memcpy(image.data, host.data_ptr<uint8_t>() + i * image_bytes, image_bytes);
    images.push_back(image);
  }
  return images;
}

}  // namespace gpen::detail
