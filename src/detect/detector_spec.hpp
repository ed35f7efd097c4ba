#pragma once
// A detector spec checked when a Restorer is created (the detector itself is made on first use):
// a misspelt spec or a missing RetinaFace model is an error at once, not at the first photo.

#include <string>

namespace gpen::detail {

/// "dlib" as it is; "retinaface:NAME|PATH" with its model resolved as resolve_model does
/// (pulled first when `download`), returned as "retinaface:/resolved/path.pt". Throws
/// gpen::Error(InvalidArgument) for any other spec, FileNotFound for a model that is not there.
std::string checked_detector_spec(const std::string& spec, bool download);

}  // namespace gpen::detail
