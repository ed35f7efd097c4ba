#pragma once
// How a Restorer is built: which model, on which device, with how many threads.

#include <string>

namespace gpen {

enum class Precision { FP32, FP16, BF16 };

/// "fp32", "fp16" or "bf16"; throws gpen::Error(InvalidArgument) otherwise.
Precision parse_precision(const std::string& name);

/// Where the whole-photo path warps faces out of the photo and blends them back in.
///  - Auto:   Device for CUDA devices, Host for the CPU.
///  - Host:   OpenCV on the CPU (Lanczos crops, bilinear paste-back).
///  - Device: LibTorch on the model's device: the photo is uploaded once (from pinned memory on
///            CUDA), faces are warped with affine_grid/grid_sample (bicubic), normalised,
///            restored, mode-finished, warped back (bilinear) and blended under the feathered
///            mask there, and the photo is downloaded once. On the CPU it runs the same tensor
///            code (slower than OpenCV; there for testing). Strong mode's bilateral pre-filter
///            and the photo-wide denoise/sharpen still run on the host.
/// The classic path (no model) always works on the host.
enum class PhotoOps { Auto, Host, Device };

/// "auto", "host" or "device"; throws gpen::Error(InvalidArgument) otherwise.
PhotoOps parse_photo_ops(const std::string& name);

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
  /// CUDA only: the most device memory LibTorch's caching allocator may hold for this process
  /// on the device, in MiB (0 = no cap). A call that would need more fails with
  /// gpen::Error(OutOfMemory) instead of taking memory other programs need. The cap is the
  /// process's for that device (LibTorch keeps one per device), so the last Restorer created
  /// sets it. Setting it for the CPU is an InvalidArgument error.
  int memory_limit_mb = 0;
  /// CUDA only: run one batch of max_batch blank faces at load, so that kernels are chosen and
  /// the caching allocator already holds what steady state needs: the first restore is as fast
  /// as the rest and later calls reserve no new memory. Ignored on the CPU.
  bool warmup = true;
  /// Where the whole-photo path cuts faces out and pastes them back (see PhotoOps).
  PhotoOps photo_ops = PhotoOps::Auto;
};

}  // namespace gpen
