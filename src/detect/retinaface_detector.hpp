#pragma once
// RetinaFace (ResNet-50 or MobileNet-0.25) as a TorchScript model exported by
// `python -m gpen.export retinaface`, with priors, decoding and NMS done here.

#include <memory>
#include <string>

#include "gpen/detector.hpp"

namespace gpen::detail {

/// Throws gpen::Error (FileNotFound, InvalidModel, UnsupportedModel, DeviceUnavailable).
std::unique_ptr<FaceDetector> make_retinaface_detector(const std::string& path,
                                                       const std::string& device);

}  // namespace gpen::detail
