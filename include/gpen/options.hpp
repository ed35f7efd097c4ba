#pragma once
// How a Restorer is built: which model, on which device, with how many threads.

#include <string>
#include "gpen/export.hpp"

namespace gpen {

enum class Precision { FP32, FP16, BF16 };

/// "fp32", "fp16" or "bf16"; throws gpen::Error(InvalidArgument) otherwise.
GPEN_API Precision parse_precision(const std::string& name);

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
GPEN_API PhotoOps parse_photo_ops(const std::string& name);

struct GPEN_API RestorerOptions {
  // The fields, their defaults, ranges and documentation: gpen/params.def.
#define GPEN_RESTORER_OPTION(KIND, type, name, value, lo, hi, choices, doc) type name = value;
#include "gpen/params.def"

  /// Throws gpen::Error(InvalidArgument) naming the first option out of range (device and
  /// detector strings are checked when the Restorer is created).
  void validate() const;
};

}  // namespace gpen
