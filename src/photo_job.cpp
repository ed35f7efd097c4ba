#include "photo_job.hpp"

#include <opencv2/imgproc.hpp>

#include "alignment.hpp"
#include "face_controls.hpp"
#include "face_selection.hpp"
#include "paste_back.hpp"

namespace gpen::detail {

namespace {

bool changes_nothing(const RestoreParams& p) {
  return p.strength == 0.0f && p.denoise == 0.0f && p.sharpen == 0.0f && p.upscale == 1;
}

std::array<double, 6> to_array(const cv::Matx23d& m) {
  return {m(0, 0), m(0, 1), m(0, 2), m(1, 0), m(1, 1), m(1, 2)};
}

// crop <- photo composed with photo <- canvas (canvas = photo scaled by `upscale`).
cv::Matx23d crop_from_canvas(const cv::Matx23d& crop_from_photo, int upscale) {
  const double s = 1.0 / upscale;
  const cv::Matx23d& m = crop_from_photo;
  return cv::Matx23d(m(0, 0) * s, m(0, 1) * s, m(0, 2), m(1, 0) * s, m(1, 1) * s, m(1, 2));
}

}  // namespace

std::vector<DetectedFace> detect_faces(const ImageView& photo, const RestoreParams& params,
                                       const FaceDetector& detector, int detection_max_side) {
  params.validate();
  validate_view(photo, "photo");
  std::vector<DetectedFace> faces = detector.detect(photo, params.min_face_size, detection_max_side);
  return select_faces(std::move(faces), params, cv::Size(photo.width, photo.height));
}

PhotoJob prepare_photo(const ImageView& photo, const RestoreParams& params, const FaceDetector& detector,
                       int detection_max_side, int size) {
  PhotoJob job;
  job.layers = split_photo(photo, "photo");
  // Detect on the colour layer just made, so the photo is converted to 8-bit BGR only once.
  ImageView bgr;
  bgr.data = job.layers.bgr.data;
  bgr.width = job.layers.bgr.cols;
  bgr.height = job.layers.bgr.rows;
  bgr.channels = 3;
  bgr.stride = job.layers.bgr.step[0];
  job.faces = detect_faces(bgr, params, detector, detection_max_side);
  for (const DetectedFace& face : job.faces) {
    const cv::Matx23d m = alignment_transform(face.landmarks, size);
    job.transforms.push_back(m);
    job.aligned.push_back(warp_face(job.layers.bgr, m, size));
    job.inputs.push_back(prepare_face(job.aligned.back(), params));
  }
  return job;
}

Result finish_photo(PhotoJob job, const RestoreParams& params, int size) {
  Result result;
  cv::Mat canvas;
  if (params.upscale > 1) {
    cv::resize(job.layers.bgr, canvas, cv::Size(), params.upscale, params.upscale, cv::INTER_LANCZOS4);
  } else if (!changes_nothing(params)) {
    canvas = job.layers.bgr.clone();
  }
  const cv::Mat mask = job.restored.empty() ? cv::Mat() : face_mask(size);
  for (std::size_t i = 0; i < job.faces.size(); ++i) {
    FaceResult fr;
    fr.detection = job.faces[i];
    fr.affine = to_array(job.transforms[i]);
    fr.aligned = to_image(job.aligned[i], ColorOrder::BGR);
    if (!job.restored.empty()) {
      const cv::Mat finished = finish_restored_face(job.restored[i], params);
      fr.restored = to_image(finished, ColorOrder::BGR);
      paste_face(canvas, finished, crop_from_canvas(job.transforms[i], params.upscale), mask,
                 params.strength / 100.0);
    }
    result.faces.push_back(std::move(fr));
  }
  if (changes_nothing(params)) {
    result.image = merge_photo(job.layers.bgr, job.layers);  // the input, converted back
  } else {
    result.image = merge_photo(finish_image(canvas, params), job.layers);
  }
  return result;
}

}  // namespace gpen::detail
