#pragma once
// What the user controls per call: how strongly faces are restored and how the result is
// finished. Defaults give the model's own output.

#include <functional>
#include <string>
#include <vector>
#include "gpen/export.hpp"

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
GPEN_API Mode parse_mode(const std::string& name);
GPEN_API const char* mode_name(Mode mode);

struct GPEN_API RestoreParams {
  // The fields, their defaults, ranges and documentation: gpen/params.def.
#define GPEN_RESTORE_PARAM(KIND, type, name, value, lo, hi, choices, doc) type name = value;
#include "gpen/params.def"

  /// Not a parameter: asked between the steps of a call (before detection, between model
  /// batches, before paste-back); returning true ends the call with gpen::Error(Cancelled).
  /// Called on the calling thread. Empty: never stop.
  std::function<bool()> should_stop;

  /// Throws gpen::Error(InvalidArgument) naming the first parameter that is NaN or out of range.
  void validate() const;
};

/// Named parameter sets: "natural" (the defaults), "old-photo", "id-photo", "selfie",
/// "motion-blur", "group-photo". Throws gpen::Error(InvalidArgument) for an unknown name,
/// listing the known ones.
GPEN_API RestoreParams preset(const std::string& name);
GPEN_API std::vector<std::string> preset_names();

}  // namespace gpen
