#pragma once
// Restorer's private state, shared by the files that implement its methods.

#include <torch/types.h>

#include <memory>
#include <mutex>
#include <optional>

#include "model/face_enhancer.hpp"
#include "gpen/detector.hpp"
#include "gpen/restorer.hpp"

namespace gpen {

struct Restorer::Impl {
  RestorerOptions options;
  bool has_model = false;
  std::unique_ptr<detail::FaceEnhancer> enhancer;
  torch::Device device{torch::kCPU};
  /// The whole-photo path cuts and pastes faces on `device` (options.photo_ops resolved).
  bool photo_ops_on_device = false;

  /// `device` for the device path, nothing for the host path.
  std::optional<torch::Device> photo_device() const {
    return photo_ops_on_device ? std::optional<torch::Device>(device) : std::nullopt;
  }

  /// The detector, created from options.detector on first use (thread-safe; a failed
  /// creation is retried by the next call).
  const FaceDetector& detector() const;

  mutable std::once_flag detector_once;
  mutable std::unique_ptr<FaceDetector> detector_instance;
};

}  // namespace gpen
