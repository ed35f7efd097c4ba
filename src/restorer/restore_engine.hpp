#pragma once
// The restorer's three phases, used by Restorer (one call at a time) and by the batch engine
// (the faces of many photos in one model call): prepare -> enhance -> finish. Whether an input is
// a whole photo or an aligned crop, and whether the per-face steps run on the host (OpenCV) or
// on the model's device (tensors), are decided here and nowhere else.

#include <torch/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gpen/detector.hpp"
#include "gpen/options.hpp"
#include "gpen/result.hpp"
#include "model/face_enhancer.hpp"
#include "photo/photo_job.hpp"

namespace gpen::detail {

class RestoreEngine {
 public:
  /// Loads the model (or the classic path) on the device `options` name; `detector` may be
  /// null (then options.detector is created on first use).
  RestoreEngine(const RestorerOptions& options, std::unique_ptr<FaceDetector> detector);

  /// Phase 1: a whole photo (detect, select, align, cut out, pre-process), or with `aligned`
  /// one aligned face crop, named `what` in errors. `keep_crops`: Result.faces get the crops.
  PhotoJob prepare(const ImageView& image, const RestoreParams& params, bool aligned, bool keep_crops,
                   const std::string& what, const std::vector<DetectedFace>* given_faces = nullptr) const;

  /// Phase 2: the model on crops gathered from any number of jobs of one kind (host crops, or
  /// device pixel tensors [N, 3, S, S]). Thread-safe.
  std::vector<cv::Mat> enhance(const std::vector<cv::Mat>& crops) const { return enhancer_->enhance(crops); }
  torch::Tensor enhance(const torch::Tensor& crops) const { return enhancer_->enhance_pixels(crops); }
  /// Phase 2 for one job: all its faces, max_batch at a time (nothing when the model has no
  /// work). Each phase asks params.should_stop first (gpen::Error(Cancelled)).
  void enhance(PhotoJob& job, const RestoreParams& params) const;

  /// Phase 3: finishing and paste-back (photos), or finishing of the aligned crop.
  Result finish(PhotoJob job, const RestoreParams& params) const;

  std::vector<DetectedFace> detect(const ImageView& photo, const RestoreParams& params) const;

  const RestorerOptions& options() const { return options_; }
  const ModelInfo& model() const { return enhancer_->info(); }
  bool has_model() const { return has_model_; }
  const torch::Device& device() const { return device_; }
  int max_batch() const { return options_.max_batch; }

 private:
  const FaceDetector& detector() const;
  /// `params` with upscale as the output factor: 1 with a background upsampler means its scale.
  RestoreParams with_output_scale(const RestoreParams& params) const;

  RestorerOptions options_;
  bool has_model_ = false;
  std::unique_ptr<FaceEnhancer> enhancer_;
  torch::Device device_{torch::kCPU};
  bool photo_ops_on_device_ = false;  ///< options.photo_ops resolved
  mutable std::once_flag detector_once_;
  mutable std::unique_ptr<FaceDetector> detector_;
  std::string detector_spec_;  // options_.detector, checked, its RetinaFace model resolved
  std::unique_ptr<BackgroundUpsampler> upsampler_;  // options.bg_upsampler, or null
  std::unique_ptr<FaceParser> parser_;              // options.parser, or null
  std::string task_ = "enhance";                    // the model's task, checked against options.task
};

}  // namespace gpen::detail
