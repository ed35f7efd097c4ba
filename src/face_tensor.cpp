#include "face_tensor.hpp"

#include <cstring>

namespace gpen::detail {

torch::Tensor faces_to_tensor(const std::vector<cv::Mat>& faces, std::size_t begin,
                              std::size_t end, const torch::Device& device,
                              torch::Dtype dtype) {
  const int size = faces[begin].rows;
  const auto n = static_cast<int64_t>(end - begin);
  torch::Tensor bytes = torch::empty({n, size, size, 3}, torch::kUInt8);
  const std::size_t face_bytes = static_cast<std::size_t>(size) * size * 3;
  for (std::size_t i = begin; i < end; ++i) {
    const cv::Mat& face = faces[i];
    CV_Assert(face.type() == CV_8UC3 && face.rows == size && face.cols == size && face.isContinuous());
    std::memcpy(bytes.data_ptr<uint8_t>() + (i - begin) * face_bytes, face.data, face_bytes);
  }
  torch::Tensor x = bytes.to(device).permute({0, 3, 1, 2}).to(torch::kFloat32);
  x = x.div(255.0).sub(0.5).div(0.5).flip({1});
  return x.to(dtype).contiguous();
}

std::vector<cv::Mat> tensor_to_faces(const torch::Tensor& rgb) {
  torch::Tensor y = rgb.to(torch::kFloat32).mul(0.5).add(0.5).flip({1}).clamp(0.0, 1.0).mul(255.0);
  y = y.to(torch::kUInt8).permute({0, 2, 3, 1}).contiguous().to(torch::kCPU);
  const int n = static_cast<int>(y.size(0));
  const int h = static_cast<int>(y.size(1));
  const int w = static_cast<int>(y.size(2));
  std::vector<cv::Mat> faces;
  faces.reserve(n);
  const std::size_t face_bytes = static_cast<std::size_t>(h) * w * 3;
  for (int i = 0; i < n; ++i) {
    cv::Mat face(h, w, CV_8UC3);
    std::memcpy(face.data, y.data_ptr<uint8_t>() + i * face_bytes, face_bytes);
    faces.push_back(face);
  }
  return faces;
}

}  // namespace gpen::detail
