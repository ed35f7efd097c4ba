#pragma once
// Before/after comparisons, as upstream GPEN's `_COMP` images and GFPGAN's `cmp/` folder.

#include "gpen/export.hpp"
#include "gpen/image.hpp"

namespace gpen {

/// `before` and `after` side by side (before on the left), at `after`'s height and in its
/// channels and colour order: `before` is resized (keeping its aspect ratio; Lanczos up, area
/// down) and converted (gray, BGR/RGB, alpha) as needed. Throws gpen::Error(InvalidImage) for
/// an empty or 16-bit view.
GPEN_API Image side_by_side(const ImageView& before, const ImageView& after);

}  // namespace gpen
