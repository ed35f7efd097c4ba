#include "photo/photo_job.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gpen/error.hpp"

#include "imaging/alignment.hpp"
#include "device/device_photo_ops.hpp"
#include "device/face_tensor.hpp"
#include "photo/face_finishing.hpp"
#include "photo/face_selection.hpp"
#include "imaging/paste_back.hpp"

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

// The canvas faces are pasted into: the photo enlarged by the upscale factor, by the background
// upsampler (resized to the factor if its scale differs) or by a Lanczos resize.
cv::Mat upscaled(const cv::Mat& bgr, const RestoreParams& params, const PhotoFinishers& finishers) {
  const int upscale = params.upscale;
  cv::Mat out;
  if (finishers.upsampler) {
    out = finishers.upsampler->upscale(bgr, finishers.tile, finishers.tile_pad, params.should_stop);
    if (finishers.upsampler->scale() == upscale) return out;
    const cv::Size target(bgr.cols * upscale, bgr.rows * upscale);
    cv::resize(out, out, target, 0, 0, target.width < out.cols ? cv::INTER_AREA : cv::INTER_LANCZOS4);
    return out;
  }
  if (upscale == 1) return bgr.clone();
  cv::resize(bgr, out, cv::Size(), upscale, upscale, cv::INTER_LANCZOS4);
  return out;
}

// Refused before any pixel is touched: 16000 x 16000 with upscale 4 would ask for 12 GB.
void check_output_size(const ImageView& photo, int upscale) {
  const double pixels = static_cast<double>(photo.width) * upscale * static_cast<double>(photo.height) * upscale;
  if (photo.width > 0 && photo.height > 0 && pixels > static_cast<double>(kMaxOutputPixels)) {
    char mp[32];
    std::snprintf(mp, sizeof mp, "%.0f", pixels / 1e6);
    throw Error(ErrorCode::InvalidArgument,
                "upscale " + std::to_string(upscale) + " would make a " + std::to_string(photo.width * std::int64_t{upscale}) +
                    "x" + std::to_string(photo.height * std::int64_t{upscale}) + " output (" + mp +
                    " megapixels); the limit is " + std::to_string(kMaxOutputPixels / 1000000) + " megapixels");
  }
}

// A paste mask (float in [0, 1]) as an 8-bit one-channel image for Result.faces.
Image mask_image(const cv::Mat& mask) {
  Image out(mask.cols, mask.rows, 1, ColorOrder::BGR);
  cv::Mat bytes(mask.rows, mask.cols, CV_8U, out.data());
  mask.convertTo(bytes, CV_8U, 255.0);
  return out;
}

}  // namespace

std::vector<DetectedFace> detect_faces(const ImageView& photo, const RestoreParams& params,
                                       const FaceDetector& detector, int detection_max_side) {
  params.validate();
  validate_view(photo, "photo");
  std::vector<DetectedFace> faces = detector.detect(photo, params.min_face_size, detection_max_side);
  return select_faces(std::move(faces), params, cv::Size(photo.width, photo.height));
}

// Faces from a caller (an untrusted one, through the C ABI): landmarks must be finite and lie
// within a photo's size of the photo, or the alignment would ask for absurd warps.
std::vector<DetectedFace> checked_faces(const std::vector<DetectedFace>& faces, const ImageView& photo) {
  const float reach = static_cast<float>(std::max(photo.width, photo.height));
  for (std::size_t i = 0; i < faces.size(); ++i) {
    for (const Point& p : faces[i].landmarks) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y) || p.x < -reach || p.y < -reach ||
          p.x > photo.width + reach || p.y > photo.height + reach) {
        throw Error(ErrorCode::InvalidArgument, "face " + std::to_string(i) + " given to restore has a landmark (" +
                                                    std::to_string(p.x) + ", " + std::to_string(p.y) +
                                                    ") that is not finite or far outside the " +
                                                    std::to_string(photo.width) + "x" + std::to_string(photo.height) + " photo");
      }
    }
  }
  return faces;
}

PhotoJob prepare_photo(const ImageView& photo, const RestoreParams& params, const FaceDetector& detector,
                       int detection_max_side, int size, const std::optional<torch::Device>& device,
                       bool keep_crops, const std::vector<DetectedFace>* given_faces) {
  check_output_size(photo, params.upscale);
  PhotoJob job;
  job.keep_crops = keep_crops;
  job.layers = split_photo(photo, "photo");
  // Detect on the colour layer just made, so the photo is converted to 8-bit BGR only once.
  ImageView bgr;
  bgr.data = job.layers.bgr.data;
  bgr.width = job.layers.bgr.cols;
  bgr.height = job.layers.bgr.rows;
  bgr.channels = 3;
  bgr.stride = job.layers.bgr.step[0];
  job.faces = given_faces ? checked_faces(*given_faces, photo) : detect_faces(bgr, params, detector, detection_max_side);
  for (const DetectedFace& face : job.faces) job.transforms.push_back(alignment_transform(face.landmarks, size));
  if (device && !job.faces.empty()) {
    job.device_photo = upload_image_bytes(job.layers.bgr, *device);
    const torch::Tensor crops = warp_faces(job.device_photo.to(torch::kFloat32), job.transforms, size);
    const bool strong = params.mode == Mode::Strong;  // its bilateral pre-filter runs on the host
    std::vector<cv::Mat> host_crops;
    if (keep_crops || strong) host_crops = pixels_to_mats(crops);
    if (keep_crops) job.aligned = host_crops;
    if (strong) {
      std::vector<cv::Mat> inputs;
      for (const cv::Mat& crop : host_crops) inputs.push_back(prepare_face(crop, params));
      job.device_inputs = faces_to_pixels(inputs, 0, inputs.size(), *device);
    } else {
      job.device_inputs = crops;
    }
    return job;
  }
  for (const cv::Matx23d& m : job.transforms) {
    job.aligned.push_back(warp_face(job.layers.bgr, m, size));
    job.inputs.push_back(prepare_face(job.aligned.back(), params));
  }
  return job;
}

namespace {

// The device path's finishing: mode finishing, paste-back and one download, on the device.
// Fills each face's restored crop; returns the canvas on the host.
cv::Mat paste_on_device(PhotoJob& job, const RestoreParams& params, int size, const PhotoFinishers& finishers,
                        std::vector<FaceResult>& faces) {
  const torch::Tensor finished = finish_faces(torch::stack(job.device_restored), params);
  if (job.keep_crops) {
    const std::vector<cv::Mat> restored = pixels_to_mats(finished);
    for (std::size_t i = 0; i < faces.size(); ++i) faces[i].restored = to_image(restored[i], ColorOrder::BGR);
  }
  torch::Tensor canvas;
  if (params.upscale > 1 || finishers.upsampler) {
    canvas = upload_image(upscaled(job.layers.bgr, params, finishers), job.device_photo.device());
  } else {
    canvas = job.device_photo.to(torch::kFloat32);
  }
  job.device_photo = torch::Tensor();  // not needed any more
  const torch::Tensor mask = upload_mask(face_mask(size), canvas.device());
  std::vector<cv::Matx23d> crop_from_canvas_maps;
  for (const cv::Matx23d& m : job.transforms) crop_from_canvas_maps.push_back(crop_from_canvas(m, params.upscale));
  paste_faces(canvas, finished, crop_from_canvas_maps, mask, params.strength / 100.0);
  return pixels_to_mats(canvas).front();
}

}  // namespace

Result finish_photo(PhotoJob job, const RestoreParams& params, int size, const PhotoFinishers& finishers) {
  Result result;
  for (std::size_t i = 0; i < job.faces.size(); ++i) {
    FaceResult fr;
    fr.detection = job.faces[i];
    fr.affine = to_array(job.transforms[i]);
    if (i < job.aligned.size()) fr.aligned = to_image(job.aligned[i], ColorOrder::BGR);
    result.faces.push_back(std::move(fr));
  }
  if (changes_nothing(params) && !finishers.upsampler) {
    job.layers.colourless = false;  // nothing was restored: nothing to neutralise
    result.image = merge_photo(job.layers.bgr, job.layers);  // the input, converted back
    return result;
  }
  cv::Mat canvas;
  if (job.on_device() && !job.device_restored.empty()) {
    canvas = paste_on_device(job, params, size, finishers, result.faces);
  } else {
    canvas = upscaled(job.layers.bgr, params, finishers);
    std::vector<cv::Mat> finished;
    for (const cv::Mat& face : job.restored) finished.push_back(finish_restored_face(face, params));
    // One mask for every face (the feathered rectangle), or one per face from the parser.
    std::vector<cv::Mat> masks;
    // The model's output side: size, or larger (GPEN-BFR-2048 returns 2048 for a 1024 crop).
    const int out_size = finished.empty() ? size : finished.front().rows;
    if (finishers.parser && !finished.empty()) {
      masks = finishers.parser->paste_masks(finished, out_size);
    } else if (!finished.empty()) {
      masks.assign(finished.size(), face_mask(out_size));
    }
    for (std::size_t i = 0; i < finished.size(); ++i) {
      result.faces[i].restored = to_image(finished[i], ColorOrder::BGR);
      if (finishers.parser) result.faces[i].mask = mask_image(masks[i]);
      const cv::Matx23d crop_from = static_cast<double>(out_size) / size * crop_from_canvas(job.transforms[i], params.upscale);
      if (job.paste_change && i < job.aligned.size()) {
        paste_face_change(canvas, finished[i], job.aligned[i], crop_from, masks[i], params.strength / 100.0);
      } else {
        paste_face(canvas, finished[i], crop_from, masks[i], params.strength / 100.0);
      }
    }
  }
  result.image = merge_photo(finish_image(canvas, params), job.layers);
  return result;
}

PhotoJob prepare_aligned(const ImageView& face, const RestoreParams& params, int size, const std::string& what) {
  PhotoJob job;
  job.is_aligned_crop = true;
  job.order = face.order;
  job.aligned_original = aligned_face_input(face, size, what);
  job.inputs.push_back(prepare_face(job.aligned_original, params));
  return job;
}

Result finish_aligned(PhotoJob job, const RestoreParams& params, const PhotoFinishers& finishers) {
  const cv::Mat& restored = job.restored.empty() ? job.aligned_original : job.restored[0];
  cv::Mat original = job.aligned_original;  // blended with the result at the model's output size
  if (original.size() != restored.size()) cv::resize(original, original, restored.size(), 0, 0, cv::INTER_LINEAR);
  Result r;
  cv::Mat finished = finish_aligned_face(original, restored, params);
  if (finishers.upsampler) finished = finishers.upsampler->upscale(finished, finishers.tile, finishers.tile_pad, params.should_stop);
  r.image = to_image(finished, job.order);
  return r;
}

}  // namespace gpen::detail
