#include "model/face_parser.hpp"

#include <cstring>
#include <opencv2/imgproc.hpp>

#include "gpen/error.hpp"
#include "imaging/paste_back.hpp"
#include "model/torch_errors.hpp"
#include "model/torchscript_file.hpp"

namespace gpen::detail {

namespace {

// Faces per parser call.
constexpr std::size_t kBatch = 4;

// An 8-bit BGR crop as the reference feeds it: resized (bilinear), RGB, x / 255 * 2 - 1 computed
// in double and stored as float, [3, size, size].
torch::Tensor parser_input(const cv::Mat& face, int size) {
  if (face.empty() || face.type() != CV_8UC3) {
    throw Error(ErrorCode::InvalidArgument, "face parser: expected non-empty 8-bit BGR face crops");
  }
  cv::Mat resized;
  if (face.rows != size || face.cols != size) {
    cv::resize(face, resized, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
  } else {
    resized = face;
  }
  cv::Mat scaled;
  resized.convertTo(scaled, CV_64FC3, 2.0 / 255.0, -1.0);
  cv::Mat as_float;
  scaled.convertTo(as_float, CV_32FC3);
  return torch::from_blob(as_float.data, {size, size, 3}, torch::kFloat32).flip(2).permute({2, 0, 1}).clone();
}

}  // namespace

FaceParser::FaceParser(const std::string& path, const torch::Device& device) : device_(device), path_(path) {
  TorchScriptFile file = load_torchscript(path, device);
  info_ = parse_parser_metadata(file.metadata, path);
  module_ = frozen_for_inference(file.module, path, torch::kFloat32, /*channels_last=*/true);
}

torch::Tensor FaceParser::logits(const torch::Tensor& rgb) const {
  c10::InferenceMode guard;
  CpuBlockCache::Scope cached_blocks;
  const std::string what = "face parser " + path_;
  return with_torch_errors(what, [&] {
    const c10::IValue result = module_.forward({rgb});
    if (!result.isTensor()) throw Error(ErrorCode::InvalidModel, what + " returned a " + result.tagKind() + ", not a tensor");
    const torch::Tensor y = result.toTensor();
    const auto classes = static_cast<int64_t>(info_.class_weight.size());
    if (y.dim() != 4 || y.size(0) != rgb.size(0) || y.size(1) != classes || y.size(2) != info_.size ||
        y.size(3) != info_.size || !y.is_floating_point()) {
      throw Error(ErrorCode::InvalidModel, what + " did not return floating-point logits [N, " + std::to_string(classes) +
                                               ", " + std::to_string(info_.size) + ", " + std::to_string(info_.size) +
                                               "] (one class per mask_colormap entry)");
    }
    if (!torch::isfinite(y).all().item<bool>()) {
      throw Error(ErrorCode::InvalidModel, what + " returned non-finite values (NaN or infinity)");
    }
    return y;
  });
}

std::vector<cv::Mat> FaceParser::masks(const std::vector<cv::Mat>& faces) const {
  std::vector<cv::Mat> out;
  const torch::Tensor weight = torch::tensor(info_.class_weight, torch::kFloat32).mul(255.0).round().to(torch::kUInt8);
  for (std::size_t begin = 0; begin < faces.size(); begin += kBatch) {
    std::vector<torch::Tensor> inputs;
    for (std::size_t i = begin; i < std::min(faces.size(), begin + kBatch); ++i) inputs.push_back(parser_input(faces[i], info_.size));
    const torch::Tensor batch = torch::stack(inputs).to(device_).contiguous(torch::MemoryFormat::ChannelsLast);
    const torch::Tensor labels = logits(batch).argmax(1).cpu();
    const torch::Tensor values = weight.index({labels}).contiguous();
    for (int64_t n = 0; n < values.size(0); ++n) {
      cv::Mat mask(info_.size, info_.size, CV_8U);
      std::memcpy(mask.data, values[n].data_ptr<std::uint8_t>(), mask.total());
      out.push_back(mask);
    }
  }
  return out;
}

std::vector<cv::Mat> FaceParser::paste_masks(const std::vector<cv::Mat>& faces, int crop_size) const {
  std::vector<cv::Mat> out;
  for (const cv::Mat& mask : masks(faces)) {
    cv::Mat inside;
    mask.convertTo(inside, CV_32F, 1.0 / 255.0);
    cv::Mat feathered = feathered_mask(inside);
    if (feathered.rows != crop_size) cv::resize(feathered, feathered, cv::Size(crop_size, crop_size), 0, 0, cv::INTER_LINEAR);
    out.push_back(feathered);
  }
  return out;
}

}  // namespace gpen::detail
