#pragma once
// gpen::Restorer: load a GPEN TorchScript model once, restore many faces. Thread-safe: one
// Restorer may be shared by any number of threads.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gpen/detector.hpp"
#include "gpen/export.hpp"
#include "gpen/image.hpp"
#include "gpen/model_info.hpp"
#include "gpen/options.hpp"
#include "gpen/params.hpp"
#include "gpen/result.hpp"

namespace gpen {

namespace detail {
class RestoreEngine;
}  // namespace detail

class GPEN_API Restorer {
 public:
  /// Loads and prepares the model (none if options.model_path is empty: classic path).
  /// Throws gpen::Error: FileNotFound, InvalidModel, UnsupportedModel, DeviceUnavailable or
  /// InvalidArgument (bad options). The face detector named by options.detector is created
  /// on first use.
  explicit Restorer(const RestorerOptions& options);
  /// Same, with a detector of the caller's instead of options.detector.
  Restorer(const RestorerOptions& options, std::unique_ptr<FaceDetector> detector);
  ~Restorer();
  Restorer(Restorer&&) noexcept;
  Restorer& operator=(Restorer&&) noexcept;
  Restorer(const Restorer&) = delete;
  Restorer& operator=(const Restorer&) = delete;

  /// false when no model was given and faces go through the classic path.
  bool has_model() const;
  const ModelInfo& model() const;
  const RestorerOptions& options() const;

  /// The caching allocator's figures for this Restorer's device (CUDA); on the CPU
  /// device_memory is false and every figure 0. After the load-time warm-up (options.warmup)
  /// restoring faces of the model size in batches up to max_batch reserves nothing new.
  MemoryStats memory_stats() const;

  /// Restores every face of a whole photo: detect, align to the 5-point template, restore in
  /// batches, paste back under a feathered mask; then the photo-wide denoise/sharpen and
  /// upscale. The result has the input's channels (gray stays gray, alpha is kept) and order.
  /// With strength 0, denoise 0, sharpen 0 and upscale 1 the image equals the input byte for
  /// byte. A photo without faces comes back with only the photo-wide controls applied.
  Result restore(const ImageView& photo, const RestoreParams& params = RestoreParams()) const;

  /// Restores the given faces (from detect(), edited, or tracked across video frames) instead of
  /// detecting; otherwise as restore(). Throws gpen::Error(InvalidArgument) for a landmark that is
  /// not finite or lies far outside the photo.
  Result restore(const ImageView& photo, const std::vector<DetectedFace>& faces,
                 const RestoreParams& params = RestoreParams()) const;

  /// The faces restore() would restore (after min size, only_center_face, max_faces).
  std::vector<DetectedFace> detect(const ImageView& photo,
                                   const RestoreParams& params = RestoreParams()) const;

  /// Restores already-aligned face crops (any square-ish size >= 16 px; each is resized to the
  /// model's input size as the reference pipeline does). Returns one model-size (output size),
  /// 3-channel image per input, in the input's colour order; with a bg_upsampler, enlarged by it
  /// (the reference's aligned path with --use_sr). Faces go through the model in batches of up
  /// to options().max_batch. With default params the result is exactly the model's output.
  std::vector<Image> restore_faces(const std::vector<ImageView>& aligned_faces,
                                   const RestoreParams& params = RestoreParams()) const;

  /// One face; same rules as restore_faces.
  Image restore_face(const ImageView& aligned_face,
                     const RestoreParams& params = RestoreParams()) const;

  /// Internal: the restorer's phases (prepare, enhance, finish), which the batch engine runs as
  /// stages. An incomplete type outside the library.
  const detail::RestoreEngine& engine() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpen
