#pragma once
// Restorer's private state, shared by the files that implement its methods.

#include <memory>
#include <mutex>

#include "face_enhancer.hpp"
#include "gpen/detector.hpp"
#include "gpen/restorer.hpp"

namespace gpen {

struct Restorer::Impl {
  RestorerOptions options;
  bool has_model = false;
  std::unique_ptr<detail::FaceEnhancer> enhancer;

  /// The detector, created from options.detector on first use (thread-safe; a failed
  /// creation is retried by the next call).
  const FaceDetector& detector() const;

  mutable std::once_flag detector_once;
  mutable std::unique_ptr<FaceDetector> detector_instance;
};

}  // namespace gpen
