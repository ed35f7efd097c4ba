#include "gpen/detector.hpp"

#include "detect/dlib_detector.hpp"
#include "gpen/error.hpp"
#include "gpen/models.hpp"
#include "detect/retinaface_detector.hpp"

namespace gpen {

std::unique_ptr<FaceDetector> make_face_detector(const std::string& spec, const std::string& device) {
  if (spec == "dlib") return detail::make_dlib_detector(detail::dlib_landmarks_path());
  const std::string prefix = "retinaface:";
  if (spec.rfind(prefix, 0) == 0 && spec.size() > prefix.size()) {
    return detail::make_retinaface_detector(resolve_model(spec.substr(prefix.size())), device);
  }
  throw Error(ErrorCode::InvalidArgument,
              "detector must be \"dlib\" or \"retinaface:NAME|PATH\", got \"" + spec + "\"");
}

}  // namespace gpen
