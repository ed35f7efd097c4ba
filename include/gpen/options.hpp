#pragma once
// How a Restorer is built: which model, on which device, with how many threads.

#include <string>

namespace gpen {

enum class Precision { FP32, FP16, BF16 };

/// "fp32", "fp16" or "bf16"; throws gpen::Error(InvalidArgument) otherwise.
Precision parse_precision(const std::string& name);

struct RestorerOptions {
  /// TorchScript model written by `python -m gpen.export` (metadata included). Empty: no
  /// model; faces are enhanced by the classic path (denoise, white balance, local contrast,
  /// sharpening), so the library works with nothing downloaded.
  std::string model_path;
  /// Face detector for whole photos: "dlib" (built in) or "retinaface:PATH".
  std::string detector = "dlib";
  /// Photos whose long side exceeds this are searched for faces on a downscaled copy (faces
  /// are still restored and pasted at full resolution).
  int detection_max_side = 6000;
  /// "cpu", "cuda" or "cuda:N".
  std::string device = "cpu";
  /// Intra-op threads for LibTorch; 0 = all cores. LibTorch's pool is process-wide, so the
  /// last Restorer created sets it for the whole process.
  int threads = 0;
  /// FP32 everywhere; FP16 needs a CUDA device; BF16 runs on CUDA and on CPUs with AVX-512
  /// (about 2x faster than FP32 with AVX512-BF16/AMX, at a documented loss of precision:
  /// docs/benchmarks.md).
  Precision precision = Precision::FP32;
  /// Most faces per model call; larger batches use more memory.
  int max_batch = 4;
};

}  // namespace gpen
