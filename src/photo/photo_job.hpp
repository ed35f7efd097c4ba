#pragma once
// The whole-photo path in phases, so that a batch engine can gather the faces of several
// photos into one model call: prepare (detect, align) -> enhance (model) -> finish (paste).

#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <opencv2/core.hpp>
#include <vector>

#include "model/background_upsampler.hpp"
#include "model/face_enhancer.hpp"
#include "model/face_parser.hpp"
#include "gpen/detector.hpp"
#include "gpen/params.hpp"
#include "gpen/result.hpp"
#include "imaging/image_convert.hpp"

namespace gpen::detail {

/// Largest output a whole-photo restore makes (after upscale): 2^30 pixels (1073 megapixels,
/// 3.2 GB as 8-bit BGR); larger requests are an InvalidArgument error before any work.
constexpr std::int64_t kMaxOutputPixels = std::int64_t(1) << 30;

struct PhotoJob {
  // An aligned face crop instead of a photo: one face, no detection, no paste-back.
  bool is_aligned_crop = false;
  cv::Mat aligned_original;  ///< aligned: the model-size crop before mode pre-processing
  ColorOrder order = ColorOrder::BGR;  ///< aligned: the input's colour order, kept by the result

  PhotoLayers layers;
  std::vector<DetectedFace> faces;
  std::vector<cv::Matx23d> transforms;  ///< photo -> crop, one per face
  std::vector<cv::Mat> aligned;         ///< crops as cut from the photo (device path: only with keep_crops)
  bool keep_crops = true;               ///< Result.faces get their aligned and restored crops
  std::vector<cv::Mat> inputs;          ///< crops as they go into the model (mode pre-processing)
  std::vector<cv::Mat> restored;        ///< model outputs, filled by the caller; empty = skip paste
  /// The classic path: paste back only the change (restored - aligned; paste_face_change), so
  /// the crop's resampling there and back does not soften the face.
  bool paste_change = false;

  // The device path (PhotoOps::Device; only for photos with faces): the same on the device, as
  // pixel tensors (face_tensor.hpp). `inputs` and `restored` stay empty.
  torch::Tensor device_photo;                  ///< [1, 3, H, W] uint8: layers.bgr, uploaded once
  torch::Tensor device_inputs;                 ///< [N, 3, S, S]
  std::vector<torch::Tensor> device_restored;  ///< [3, S, S] per face, filled by the caller

  bool on_device() const { return device_photo.defined(); }
  std::size_t face_count() const { return on_device() ? static_cast<std::size_t>(device_inputs.size(0)) : inputs.size(); }
  /// True when the model has work to do for this photo.
  bool needs_model(const RestoreParams& params) const { return face_count() > 0 && params.strength > 0.0f; }
};

/// Validates, splits, detects, selects, aligns and pre-processes. `size` is the crop size.
/// With `device`, crops are cut on that device (the device path); otherwise with OpenCV. Without
/// `keep_crops` the device path downloads only the finished photo (faces in the Result carry no
/// crops). With `given_faces` those faces are restored instead of the detector's (checked:
/// finite landmarks that lie near the photo).
PhotoJob prepare_photo(const ImageView& photo, const RestoreParams& params, const FaceDetector& detector,
                       int detection_max_side, int size, const std::optional<torch::Device>& device = std::nullopt,
                       bool keep_crops = true, const std::vector<DetectedFace>* given_faces = nullptr);

/// Selected faces of a photo (detection + selection only).
std::vector<DetectedFace> detect_faces(const ImageView& photo, const RestoreParams& params,
                                       const FaceDetector& detector, int detection_max_side);

/// The optional networks of a whole photo's finish (not owned; null: not used).
struct PhotoFinishers {
  const BackgroundUpsampler* upsampler = nullptr;  ///< makes the canvas instead of a Lanczos resize
  int tile = 0;                                    ///< its tile side (0 = whole photo)
  int tile_pad = 0;                                ///< its context pixels around each tile
  const FaceParser* parser = nullptr;              ///< per-face paste masks instead of the rectangle
};

/// Mode finishing, paste-back, upscale, photo-wide controls, reassembly. `size` is the crop size
/// (the model's input); restored faces may be larger (the model's output), and are pasted at
/// their own resolution. params.upscale is the output factor; with an upsampler whose scale
/// differs, its output is resized to that factor.
Result finish_photo(PhotoJob job, const RestoreParams& params, int size, const PhotoFinishers& finishers = {});

/// An aligned face crop as a job: resized to the model size, pre-processed; `what` names it in
/// errors ("aligned face #0 is 1x1; aligned faces must be at least 16x16").
PhotoJob prepare_aligned(const ImageView& face, const RestoreParams& params, int size, const std::string& what);

/// The aligned crop's result (its image only): mode finishing, strength blend, then denoise and
/// sharpen; the crop itself where the model did not run. With an upsampler the result is then
/// enlarged by it, as the reference's aligned path does with --use_sr.
Result finish_aligned(PhotoJob job, const RestoreParams& params, const PhotoFinishers& finishers = {});

}  // namespace gpen::detail
