// Restorer::restore and Restorer::detect: the whole-photo path, one photo at a time.

#include "gpen/restorer.hpp"
#include "photo_job.hpp"
#include "restorer_impl.hpp"

namespace gpen {

std::vector<DetectedFace> Restorer::detect(const ImageView& photo, const RestoreParams& params) const {
  return detail::detect_faces(photo, params, impl_->detector(), impl_->options.detection_max_side);
}

Result Restorer::restore(const ImageView& photo, const RestoreParams& params) const {
  const int size = model().size;
  detail::PhotoJob job =
      detail::prepare_photo(photo, params, impl_->detector(), impl_->options.detection_max_side, size);
  if (job.needs_model(params)) job.restored = impl_->enhancer->enhance(job.inputs);
  return detail::finish_photo(std::move(job), params, size);
}

}  // namespace gpen
