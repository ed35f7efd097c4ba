#pragma once
// Frames of a video whose stream says how to turn them for display (a phone held upright
// records sideways frames and a display matrix): faces are searched for and restored on the
// upright frame, which is then turned back, so that the output keeps the input's frames and
// display matrix.

#include "gpen/image.hpp"

namespace gpen::detail {

/// `frame` (8-bit, 3 channels) turned clockwise by `degrees` (0, 90, 180 or 270).
Image turned_clockwise(const Image& frame, int degrees);

}  // namespace gpen::detail
