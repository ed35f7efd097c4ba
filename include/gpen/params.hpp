#pragma once
// What the user controls per call: how strongly faces are restored and how the result is
// finished. Defaults give the model's own output.

#include <string>

namespace gpen {

/// How a face is restored.
///  - Natural: the model's output as it is.
///  - Strong:  for faded, noisy scans: the face crop is denoised (edge-preserving bilateral
///             filter) before the model, and the restored face gets an automatic per-channel
///             levels stretch (0.5% / 99.5% percentiles) that undoes fading and colour casts.
///  - Detail:  the restored face gets a high-frequency boost (unsharp mask, amount 0.5,
///             sigma = max(1, face size / 256) px) before blending.
enum class Mode { Natural, Strong, Detail };

/// "natural", "strong" or "detail"; throws gpen::Error(InvalidArgument) for anything else.
Mode parse_mode(const std::string& name);
const char* mode_name(Mode mode);

struct RestoreParams {
  /// 0-100: blend of restored (100) and original (0) face.
  float strength = 100.0f;
  Mode mode = Mode::Natural;
  /// 0-100: edge-preserving denoise of the result (bilateral filter; 0 = off).
  float denoise = 0.0f;
  /// 0-100: unsharp-mask sharpening of the result (0 = off, 100 = amount 1.5).
  float sharpen = 0.0f;

  /// Throws gpen::Error(InvalidArgument) naming the first parameter that is NaN or out of range.
  void validate() const;
};

}  // namespace gpen
