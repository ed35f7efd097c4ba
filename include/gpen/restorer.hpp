#pragma once
// gpen::Restorer: load a GPEN TorchScript model once, restore many faces. Thread-safe: one
// Restorer may be shared by any number of threads.

#include <memory>
#include <string>
#include <vector>

#include "gpen/image.hpp"
#include "gpen/options.hpp"
#include "gpen/params.hpp"

namespace gpen {

/// What the model file says about itself (from its embedded metadata).
struct ModelInfo {
  std::string path;
  std::string architecture;  ///< "gpen"
  int size = 0;              ///< input/output side in pixels, e.g. 512
  int channel_multiplier = 0;
  double narrow = 0.0;
  std::string exporter_version;
  bool random_weights = false;  ///< true for test models: their output is noise
};

class Restorer {
 public:
  /// Loads and prepares the model. Throws gpen::Error: FileNotFound, InvalidModel,
  /// UnsupportedModel, DeviceUnavailable or InvalidArgument (bad options).
  explicit Restorer(const RestorerOptions& options);
  ~Restorer();
  Restorer(Restorer&&) noexcept;
  Restorer& operator=(Restorer&&) noexcept;
  Restorer(const Restorer&) = delete;
  Restorer& operator=(const Restorer&) = delete;

  const ModelInfo& model() const;
  const RestorerOptions& options() const;

  /// Restores already-aligned face crops (any square-ish size >= 16 px; each is resized to the
  /// model size as the reference pipeline does). Returns one model-size, 3-channel image per
  /// input, in the input's colour order. Faces go through the model in batches of up to
  /// options().max_batch. With default params the result is exactly the model's output.
  std::vector<Image> restore_faces(const std::vector<ImageView>& aligned_faces,
                                   const RestoreParams& params = RestoreParams()) const;

  /// One face; same rules as restore_faces.
  Image restore_face(const ImageView& aligned_face,
                     const RestoreParams& params = RestoreParams()) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpen
