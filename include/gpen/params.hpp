#pragma once
// What the user controls per call: how strongly faces are restored and how the result is
// finished. Defaults give the model's own output.

#include <string>
#include <vector>

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

  // Whole-photo restoration only (ignored by restore_faces):
  /// Restore only the face nearest the photo's centre.
  bool only_center_face = false;
  /// Restore at most this many faces, the largest first (0 = all).
  int max_faces = 0;
  /// Smallest face width, in input pixels, that is searched for and restored (8-4096).
  float min_face_size = 32.0f;
  /// Output size factor 1-4; the background is resized with Lanczos interpolation.
  int upscale = 1;

  /// Throws gpen::Error(InvalidArgument) naming the first parameter that is NaN or out of range.
  void validate() const;
};

/// Named parameter sets: "natural" (the defaults), "old-photo", "id-photo", "selfie",
/// "motion-blur", "group-photo". Throws gpen::Error(InvalidArgument) for an unknown name,
/// listing the known ones.
RestoreParams preset(const std::string& name);
std::vector<std::string> preset_names();

}  // namespace gpen
