#pragma once
// A loaded GPEN TorchScript model: metadata checked, frozen for inference, on its device.

#include <torch/script.h>

#include <string>

#include "device/cpu_block_cache.hpp"
#include "gpen/model_info.hpp"

namespace gpen::detail {

class TorchModel {
 public:
  /// Loads `path` onto `device`, converted to `dtype`; with `channels_last` the 4-D weights are
  /// stored NHWC (for tensor cores; give it channels-last inputs too). Throws gpen::Error
  /// FileNotFound, InvalidModel or UnsupportedModel with the path and the reason.
  TorchModel(const std::string& path, const torch::Device& device,
             torch::Dtype dtype = torch::kFloat32, bool channels_last = false);

  const ModelInfo& info() const { return info_; }
  const torch::Device& device() const { return device_; }

  /// [B, 3, I, I] float RGB in [-1, 1] on device() -> [B, 3, S, S] float RGB (I = info().input_size,
  /// S = info().size). The output is
  /// checked (a tensor of that shape, floating point, finite), else gpen::Error(InvalidModel).
  /// Thread-safe (TorchScript inference holds no per-call state in the module).
  torch::Tensor forward(const torch::Tensor& batch) const;

 private:
  torch::Tensor checked_output(const c10::IValue& result, const torch::Tensor& batch) const;

  CpuBlockCache::Use cached_blocks_;  // keeps freed feature maps for the next call
  mutable torch::jit::Module module_;
  ModelInfo info_;
  torch::Device device_;
};

}  // namespace gpen::detail
