#pragma once
// A background upsampler: an RRDBNet export (Real-ESRNet of the GPEN release, Real-ESRGAN) that
// enlarges a whole photo, tile by tile with overlapping context, as the upstream pipeline does.

#include <torch/script.h>

#include <functional>
#include <opencv2/core.hpp>
#include <string>

#include "device/cpu_block_cache.hpp"
#include "model/model_metadata.hpp"

namespace gpen::detail {

class BackgroundUpsampler {
 public:
  /// Loads an export of `python -m gpen.export realesrnet` onto `device` in `dtype`. Throws
  /// gpen::Error FileNotFound, InvalidModel or UnsupportedModel (another architecture).
  BackgroundUpsampler(const std::string& path, const torch::Device& device, torch::Dtype dtype = torch::kFloat32);

  int scale() const { return info_.scale; }
  const std::string& path() const { return path_; }
  bool random_weights() const { return info_.random_weights; }

  /// An 8-bit BGR photo, scale() times larger. The photo is first extended (mirrored) at its
  /// bottom and right to a multiple of the model's pixel-unshuffle factor, as the reference does.
  /// With tile > 0 it is then processed in tile x tile pieces, each seen with `pad` pixels of
  /// context on every side that are cut off its output (the upstream tile_process), so memory
  /// is bounded by the tile whatever the photo's size; tile and pad are rounded up to multiples
  /// of the unshuffle factor. tile 0: the photo in one piece. `should_stop` is asked between
  /// tiles (gpen::Error(Cancelled)). Thread-safe.
  cv::Mat upscale(const cv::Mat& bgr, int tile, int pad, const std::function<bool()>& should_stop = {}) const;

 private:
  /// One piece: 8-bit BGR in, 8-bit BGR scale() times larger out (the reference's rounding).
  cv::Mat run(const cv::Mat& bgr) const;

  CpuBlockCache::Use cached_blocks_;  // keeps freed feature maps for the next call
  mutable torch::jit::Module module_;
  UpsamplerInfo info_;
  torch::Device device_;
  torch::Dtype dtype_;
  std::string path_;
};

}  // namespace gpen::detail
