// Restorer::restore and Restorer::detect: the whole-photo path, one photo at a time.

#include "gpen/restorer.hpp"
#include "device/cuda_support.hpp"
#include "photo/photo_job.hpp"
#include "restorer/restorer_impl.hpp"
#include "model/torch_errors.hpp"

namespace gpen {

std::vector<DetectedFace> Restorer::detect(const ImageView& photo, const RestoreParams& params) const {
  return detail::detect_faces(photo, params, impl_->detector(), impl_->options.detection_max_side);
}

Result Restorer::restore(const ImageView& photo, const RestoreParams& params) const {
  const int size = model().size;
  const detail::DeviceStreamScope stream(impl_->device);  // concurrent calls overlap on the GPU
  return detail::with_torch_errors("restoring a photo", [&] {
    detail::PhotoJob job = detail::prepare_photo(photo, params, impl_->detector(), impl_->options.detection_max_side,
                                                 size, impl_->photo_device());
    if (job.needs_model(params)) {
      if (job.on_device()) {
        job.device_restored = impl_->enhancer->enhance_pixels(job.device_inputs).unbind(0);
      } else {
        job.restored = impl_->enhancer->enhance(job.inputs);
      }
    }
    return detail::finish_photo(std::move(job), params, size);
  });
}

}  // namespace gpen
