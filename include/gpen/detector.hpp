#pragma once
// Face detectors behind one interface. The built-in default needs no download.

#include <memory>
#include <string>
#include <vector>

#include "gpen/face.hpp"
#include "gpen/image.hpp"
#include "gpen/export.hpp"

namespace gpen {

class GPEN_API FaceDetector {
 public:
  virtual ~FaceDetector() = default;
  /// Faces in `image` (any ImageView the library accepts) at least `min_face_size` pixels
  /// wide, with 5 landmarks each, in `image` coordinates. `max_side` bounds the detector's
  /// working image: larger photos are searched on a downscaled copy. Thread-safe.
  virtual std::vector<DetectedFace> detect(const ImageView& image, float min_face_size,
                                           int max_side) const = 0;
  /// "dlib" or "retinaface".
  virtual std::string name() const = 0;
};

/// Creates a detector from a spec:
///  - "dlib": dlib's HOG frontal face detector with the 68-point shape predictor from Debian's
///    libdlib-data (/usr/share/dlib/shape_predictor_68_face_landmarks.dat, or $GPEN_DLIB_LANDMARKS),
///    reduced to 5 points. Finds upright faces down to ~min_face_size by upsampling.
///  - "retinaface:NAME|PATH": a RetinaFace model: a catalogue name ("RetinaFace-R50", cached by
///    `gpen models pull`), a published .pth (converted once) or a .pt from `python -m gpen.export
///    retinaface` (resolved as gpen::resolve_model does, without downloading).
/// `device` is used by model-based detectors ("cpu", "cuda:N"). Throws gpen::Error.
GPEN_API std::unique_ptr<FaceDetector> make_face_detector(const std::string& spec,
                                                 const std::string& device = "cpu");

}  // namespace gpen
