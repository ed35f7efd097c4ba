#pragma once
// Checks on a DetectedFace, whoever produced it (a detector, a model, a caller).

#include "gpen/face.hpp"

namespace gpen::detail {

/// True if box and landmarks are finite and the box has a positive size.
bool is_usable(const DetectedFace& face);

}  // namespace gpen::detail
