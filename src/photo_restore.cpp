// Restorer::restore and Restorer::detect: the whole-photo path.

#include <opencv2/imgproc.hpp>

#include "alignment.hpp"
#include "face_controls.hpp"
#include "face_selection.hpp"
#include "gpen/error.hpp"
#include "gpen/restorer.hpp"
#include "image_convert.hpp"
#include "paste_back.hpp"
#include "restorer_impl.hpp"

namespace gpen {

namespace {

bool changes_nothing(const RestoreParams& p) {
  return p.strength == 0.0f && p.denoise == 0.0f && p.sharpen == 0.0f && p.upscale == 1;
}

std::array<double, 6> to_array(const cv::Matx23d& m) {
  return {m(0, 0), m(0, 1), m(0, 2), m(1, 0), m(1, 1), m(1, 2)};
}

}  // namespace

std::vector<DetectedFace> Restorer::detect(const ImageView& photo, const RestoreParams& params) const {
  params.validate();
  detail::validate_view(photo, "photo");
  std::vector<DetectedFace> faces =
      impl_->detector().detect(photo, params.min_face_size, impl_->options.detection_max_side);
  return detail::select_faces(std::move(faces), params, cv::Size(photo.width, photo.height));
}

Result Restorer::restore(const ImageView& photo, const RestoreParams& params) const {
  params.validate();
  const detail::PhotoLayers layers = detail::split_photo(photo, "photo");
  const std::vector<DetectedFace> faces = detect(photo, params);
  const int size = model().size;

  Result result;
  std::vector<cv::Matx23d> transforms;
  std::vector<cv::Mat> aligned, inputs;
  for (const DetectedFace& face : faces) {
    const cv::Matx23d m = detail::alignment_transform(face.landmarks, size);
    transforms.push_back(m);
    aligned.push_back(detail::warp_face(layers.bgr, m, size));
    inputs.push_back(detail::prepare_face(aligned.back(), params));
  }
  std::vector<cv::Mat> restored;
  if (!inputs.empty() && params.strength > 0.0f) restored = impl_->enhancer->enhance(inputs);

  cv::Mat canvas;
  if (params.upscale > 1) {
    cv::resize(layers.bgr, canvas, cv::Size(), params.upscale, params.upscale, cv::INTER_LANCZOS4);
  } else {
    canvas = layers.bgr.clone();
  }
  const cv::Mat mask = detail::face_mask(size);
  const cv::Matx23d from_canvas(1.0 / params.upscale, 0, 0, 0, 1.0 / params.upscale, 0);
  for (std::size_t i = 0; i < faces.size(); ++i) {
    FaceResult fr;
    fr.detection = faces[i];
    fr.affine = to_array(transforms[i]);
    fr.aligned = detail::to_image(aligned[i], ColorOrder::BGR);
    if (!restored.empty()) {
      const cv::Mat finished = detail::finish_restored_face(restored[i], params);
      fr.restored = detail::to_image(finished, ColorOrder::BGR);
      // crop <- photo <- canvas
      const cv::Matx33d a(transforms[i](0, 0), transforms[i](0, 1), transforms[i](0, 2),
                          transforms[i](1, 0), transforms[i](1, 1), transforms[i](1, 2), 0, 0, 1);
      const cv::Matx33d b(from_canvas(0, 0), 0, 0, 0, from_canvas(1, 1), 0, 0, 0, 1);
      const cv::Matx33d c = a * b;
      detail::paste_face(canvas, finished, cv::Matx23d(c(0, 0), c(0, 1), c(0, 2), c(1, 0), c(1, 1), c(1, 2)),
                         mask, params.strength / 100.0);
    }
    result.faces.push_back(std::move(fr));
  }
  if (changes_nothing(params)) {
    result.image = detail::merge_photo(layers.bgr, layers);  // the input, converted back
    return result;
  }
  result.image = detail::merge_photo(detail::finish_image(canvas, params), layers);
  return result;
}

}  // namespace gpen
