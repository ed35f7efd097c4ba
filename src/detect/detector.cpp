#include "gpen/detector.hpp"

#include "detect/detector_spec.hpp"
#include "detect/dlib_detector.hpp"
#include "gpen/error.hpp"
#include "gpen/models.hpp"
#include "detect/retinaface_detector.hpp"

namespace gpen {

namespace {

constexpr const char* kRetinaFacePrefix = "retinaface:";

// The model part of "retinaface:NAME|PATH"; empty for "dlib". Throws for any other spec.
std::string retinaface_model_of(const std::string& spec) {
  if (spec == "dlib") return "";
  const std::string prefix = kRetinaFacePrefix;
  if (spec.rfind(prefix, 0) == 0 && spec.size() > prefix.size()) return spec.substr(prefix.size());
  throw Error(ErrorCode::InvalidArgument,
              "detector must be \"dlib\" or \"retinaface:NAME|PATH\", got \"" + spec + "\"");
}

}  // namespace

std::unique_ptr<FaceDetector> make_face_detector(const std::string& spec, const std::string& device) {
  const std::string model = retinaface_model_of(spec);
  if (model.empty()) return detail::make_dlib_detector(detail::dlib_landmarks_path());
  return detail::make_retinaface_detector(resolve_model(model), device);
}

namespace detail {

std::string checked_detector_spec(const std::string& spec, bool download) {
  const std::string model = retinaface_model_of(spec);
  if (model.empty()) return spec;
  return kRetinaFacePrefix + resolve_model(model, download);
}

}  // namespace detail

}  // namespace gpen
