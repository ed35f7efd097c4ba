#pragma once
// How a Restorer is built: which model, on which device, with how many threads.

#include <string>

namespace gpen {

enum class Precision { FP32, FP16, BF16 };

/// "fp32", "fp16" or "bf16"; throws gpen::Error(InvalidArgument) otherwise.
Precision parse_precision(const std::string& name);

struct RestorerOptions {
  /// TorchScript model written by `python -m gpen.export` (metadata included).
  std::string model_path;
  /// "cpu", "cuda" or "cuda:N".
  std::string device = "cpu";
  /// Intra-op threads for LibTorch; 0 = all cores. LibTorch's pool is process-wide, so the
  /// last Restorer created sets it for the whole process.
  int threads = 0;
  /// FP32 everywhere; FP16/BF16 need a CUDA device.
  Precision precision = Precision::FP32;
  /// Most faces per model call; larger batches use more memory.
  int max_batch = 4;
};

}  // namespace gpen
