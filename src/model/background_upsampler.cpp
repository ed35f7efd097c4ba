#include "model/background_upsampler.hpp"

#include <algorithm>
#include <cstring>
#include <opencv2/core.hpp>

#include "gpen/error.hpp"
#include "model/torch_errors.hpp"
#include "model/torchscript_file.hpp"

namespace gpen::detail {

namespace {

int round_up(int value, int multiple) { return (value + multiple - 1) / multiple * multiple; }

}  // namespace

BackgroundUpsampler::BackgroundUpsampler(const std::string& path, const torch::Device& device, torch::Dtype dtype)
    : device_(device), dtype_(dtype), path_(path) {
  TorchScriptFile file = load_torchscript(path, device);
  info_ = parse_upsampler_metadata(file.metadata, path);
  // NHWC: oneDNN's convolutions skip their layout reorders (1.5x faster on the CPU, measured).
  module_ = frozen_for_inference(file.module, path, dtype, /*channels_last=*/true);
}

cv::Mat BackgroundUpsampler::run(const cv::Mat& bgr) const {
  const cv::Mat piece = bgr.isContinuous() ? bgr : bgr.clone();
  const int h = piece.rows, w = piece.cols, s = info_.scale;
  c10::InferenceMode guard;
  CpuBlockCache::Scope cached_blocks;
  const std::string what = "background upsampler " + path_ + " on a " + std::to_string(w) + "x" + std::to_string(h) + " piece";
  return with_torch_errors(what, [&] {
    // BGR bytes -> RGB float in [0, 1], NCHW (the reference's x / 255, in float32).
    const torch::Tensor x = torch::from_blob(piece.data, {h, w, 3}, torch::kUInt8)
                                .to(device_)
                                .flip(2)
                                .permute({2, 0, 1})
                                .unsqueeze(0)
                                .to(torch::kFloat32)
                                .div(255.0)
                                .to(dtype_)
                                .contiguous(torch::MemoryFormat::ChannelsLast);
    const c10::IValue result = module_.forward({x});
    if (!result.isTensor()) throw Error(ErrorCode::InvalidModel, what + ": the model returned a " + result.tagKind() + ", not a tensor");
    const torch::Tensor y = result.toTensor();
    if (y.dim() != 4 || y.size(0) != 1 || y.size(1) != 3 || y.size(2) != h * s || y.size(3) != w * s || !y.is_floating_point()) {
      throw Error(ErrorCode::InvalidModel, what + ": the model did not return [1, 3, " + std::to_string(h * s) + ", " +
                                               std::to_string(w * s) + "] floating point (its metadata says x" +
                                               std::to_string(s) + ")");
    }
    if (!torch::isfinite(y).all().item<bool>()) {
      throw Error(ErrorCode::InvalidModel, what + ": the model returned non-finite values (NaN or infinity)");
    }
    // The reference's conversion: clamp to [0, 1], x 255, round half to even, RGB -> BGR.
    const torch::Tensor bytes = y.to(torch::kFloat32)
                                    .clamp(0.0, 1.0)
                                    .mul(255.0)
                                    .round()
                                    .to(torch::kUInt8)
                                    .squeeze(0)
                                    .flip(0)
                                    .permute({1, 2, 0})
                                    .contiguous()
                                    .cpu();
    cv::Mat out(h * s, w * s, CV_8UC3);
    std::memcpy(out.data, bytes.data_ptr<std::uint8_t>(), out.total() * 3);
    return out;
  });
}

cv::Mat BackgroundUpsampler::upscale(const cv::Mat& bgr, int tile, int pad, const std::function<bool()>& should_stop) const {
  if (bgr.empty() || bgr.type() != CV_8UC3) {
    throw Error(ErrorCode::InvalidArgument, "background upsampler: expected a non-empty 8-bit BGR image");
  }
  if (tile < 0 || pad < 0) throw Error(ErrorCode::InvalidArgument, "background upsampler: tile and pad must be >= 0");
  const int m = info_.multiple_of, s = info_.scale;
  cv::Mat work = bgr;
  const int h_extra = round_up(bgr.rows, m) - bgr.rows, w_extra = round_up(bgr.cols, m) - bgr.cols;
  if (h_extra > 0 || w_extra > 0) {
    // Mirror without repeating the edge (PyTorch's 'reflect'); a side shorter than the extension
    // (a 1- or 2-pixel photo) repeats its edge instead.
    const int border = (bgr.rows > h_extra && bgr.cols > w_extra) ? cv::BORDER_REFLECT_101 : cv::BORDER_REPLICATE;
    cv::copyMakeBorder(bgr, work, 0, h_extra, 0, w_extra, border);
  }
  cv::Mat out;
  if (tile == 0) {
    out = run(work);
  } else {
    tile = round_up(tile, m);
    pad = round_up(pad, m);
    const int height = work.rows, width = work.cols;
    out.create(height * s, width * s, CV_8UC3);
    for (int y0 = 0; y0 < height; y0 += tile) {
      for (int x0 = 0; x0 < width; x0 += tile) {
        if (should_stop && should_stop()) throw Error(ErrorCode::Cancelled, "cancelled: should_stop returned true");
        const int x1 = std::min(x0 + tile, width), y1 = std::min(y0 + tile, height);
        const int px0 = std::max(x0 - pad, 0), py0 = std::max(y0 - pad, 0);
        const int px1 = std::min(x1 + pad, width), py1 = std::min(y1 + pad, height);
        const cv::Mat piece = run(work(cv::Rect(px0, py0, px1 - px0, py1 - py0)));
        const cv::Rect inside((x0 - px0) * s, (y0 - py0) * s, (x1 - x0) * s, (y1 - y0) * s);
        piece(inside).copyTo(out(cv::Rect(x0 * s, y0 * s, (x1 - x0) * s, (y1 - y0) * s)));
      }
    }
  }
  if (h_extra > 0 || w_extra > 0) out = out(cv::Rect(0, 0, bgr.cols * s, bgr.rows * s)).clone();
  return out;
}

}  // namespace gpen::detail
