#include "restorer/restore_engine.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <thread>

#include "detect/detector_spec.hpp"
#include "device/cuda_support.hpp"
#include "device/device.hpp"
#include "gpen/error.hpp"
#include "gpen/models.hpp"
#include "model/torch_errors.hpp"
#include "imaging/image_convert.hpp"
#include "photo/face_finishing.hpp"

namespace gpen::detail {

namespace {

// BF16 convolutions on the CPU run in oneDNN only where the processor has AVX-512 (fast with
// AVX512-BF16/AMX); elsewhere LibTorch refuses them. Try one tiny convolution to find out.
bool cpu_runs_bf16() {
  try {
    c10::InferenceMode guard;
    const torch::Tensor x = torch::ones({1, 8, 8, 8}, torch::kBFloat16);
    const torch::Tensor w = torch::ones({8, 8, 3, 3}, torch::kBFloat16);
    torch::mkldnn_convolution(x, w, {}, {1, 1}, {1, 1}, {1, 1}, 1);
    return true;
  } catch (const c10::Error&) {
    return false;
  }
}

torch::Dtype model_dtype(Precision precision, const torch::Device& device) {
  if (precision == Precision::FP32) return torch::kFloat32;
  if (device.is_cuda()) return precision == Precision::FP16 ? torch::kFloat16 : torch::kBFloat16;
  if (precision == Precision::FP16) {
    throw Error(ErrorCode::InvalidArgument, "precision fp16 needs a CUDA device; use fp32 or bf16 on the CPU");
  }
  if (!cpu_runs_bf16()) {
    throw Error(ErrorCode::InvalidArgument,
                "precision bf16 on the CPU needs AVX-512 (LibTorch's oneDNN refuses it here); use fp32");
  }
  return torch::kBFloat16;
}

// One batch of max_batch blank faces through the whole per-face path (pinned upload, model,
// download): kernels are chosen and the caching allocator reserves what steady state needs.
void warm_up(const FaceEnhancer& enhancer, int max_batch) {
  const int size = enhancer.info().input_size;
  const DeviceStreamScope stream(enhancer.device());
  const std::vector<cv::Mat> blank(static_cast<std::size_t>(max_batch), cv::Mat(size, size, CV_8UC3, cv::Scalar::all(128)));
  with_torch_errors("warm-up of " + enhancer.info().path, [&] { return enhancer.enhance(blank); });
}

// The model's task against the one asked for (options.task: auto takes the model's).
std::string checked_task(const std::string& asked, const ModelInfo& model, bool has_model) {
  if (asked == "auto" || asked == model.task) return model.task;
  if (!has_model) {
    throw Error(ErrorCode::InvalidArgument, "task " + asked + " needs a GPEN model trained for it; the classic path (no model) only enhances");
  }
  throw Error(ErrorCode::InvalidArgument, "model " + model.path + " was exported for task " + model.task + ", not " + asked +
                                              " (task auto uses what the model does)");
}

void stop_if_asked(const RestoreParams& params) {
  if (params.should_stop && params.should_stop()) {
    throw Error(ErrorCode::Cancelled, "cancelled: should_stop returned true");
  }
}

}  // namespace

RestoreEngine::RestoreEngine(const RestorerOptions& options, std::unique_ptr<FaceDetector> detector)
    : options_(options), detector_(std::move(detector)) {
  options.validate();
  // The detector is made on first use; its spec (and RetinaFace model) are checked now.
  if (!detector_) detector_spec_ = checked_detector_spec(options.detector, options.download);
  device_ = resolve_device(options.device);
  const torch::Dtype dtype = model_dtype(options.precision, device_);
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  cap_device_memory(device_, std::int64_t{options.memory_limit_mb} << 20);
  if (!options.bg_upsampler.empty()) {
    upsampler_ = std::make_unique<BackgroundUpsampler>(resolve_model(options.bg_upsampler, options.download), device_, dtype);
  }
  if (!options.parser.empty()) {
    parser_ = std::make_unique<FaceParser>(resolve_model(options.parser, options.download), device_);
  }
  if (options.model_path.empty()) {
    enhancer_ = make_classic_enhancer();
    task_ = checked_task(options.task, enhancer_->info(), false);
    return;
  }
  enhancer_ = make_gpen_enhancer(resolve_model(options.model_path, options.download), device_, dtype,
                                 options.max_batch);
  has_model_ = true;
  task_ = checked_task(options.task, enhancer_->info(), true);
  // Parser masks and colorization work per face on the host: those photos are pasted there too.
  // So do models whose output is larger than their input (GPEN-BFR-2048).
  photo_ops_on_device_ = !parser_ && task_ != "colorize" && enhancer_->info().input_size == enhancer_->info().size &&
                         (options.photo_ops == PhotoOps::Device || (options.photo_ops == PhotoOps::Auto && device_.is_cuda()));
  if (options.warmup && device_.is_cuda()) warm_up(*enhancer_, options.max_batch);
}

const FaceDetector& RestoreEngine::detector() const {
  std::call_once(detector_once_, [this] {
    if (!detector_) detector_ = make_face_detector(detector_spec_, options_.device);
  });
  return *detector_;
}

std::vector<DetectedFace> RestoreEngine::detect(const ImageView& photo, const RestoreParams& params) const {
  return detect_faces(photo, params, detector(), options_.detection_max_side);
}

RestoreParams RestoreEngine::with_output_scale(const RestoreParams& params) const {
  RestoreParams out = params;
  if (upsampler_ && params.upscale == 1) out.upscale = upsampler_->scale();
  return out;
}

PhotoJob RestoreEngine::prepare(const ImageView& image, const RestoreParams& given, bool aligned, bool keep_crops,
                                const std::string& what, const std::vector<DetectedFace>* given_faces) const {
  given.validate();
  const RestoreParams params = with_output_scale(given);
  stop_if_asked(params);
  const int size = enhancer_->info().input_size;
  if (task_ == "seg2face" && !aligned) {
    throw Error(ErrorCode::InvalidArgument, "model " + enhancer_->info().path +
                                                " renders faces from segmentation maps: give it aligned maps "
                                                "(restore_faces, --aligned), not photos");
  }
  PhotoJob job;
  if (aligned) {
    job = prepare_aligned(image, params, size, what);
  } else {
    const std::optional<torch::Device> on = photo_ops_on_device_ ? std::optional<torch::Device>(device_) : std::nullopt;
    job = prepare_photo(image, params, detector(), options_.detection_max_side, size, on, keep_crops, given_faces);
    job.paste_change = !has_model_;  // the classic path moves only what it changed
  }
  if (task_ == "colorize") {
    // A neutral face in, whatever the photo's colours; the result is in colour even for a gray photo.
    for (cv::Mat& input : job.inputs) input = neutral_colours(input);
    job.layers.gray = false;
    job.layers.colourless = false;
  }
  return job;
}

// Batch by batch (as the enhancer batches anyway), asking should_stop between batches.
void RestoreEngine::enhance(PhotoJob& job, const RestoreParams& params) const {
  if (!job.needs_model(params)) return;
  const std::size_t n = job.face_count(), step = static_cast<std::size_t>(options_.max_batch);
  for (std::size_t begin = 0; begin < n; begin += step) {
    stop_if_asked(params);
    const std::size_t count = std::min(step, n - begin);
    if (job.on_device()) {
      const torch::Tensor out = enhancer_->enhance_pixels(
          job.device_inputs.narrow(0, static_cast<int64_t>(begin), static_cast<int64_t>(count)));
      for (const torch::Tensor& face : out.unbind(0)) job.device_restored.push_back(face);
    } else {
      const std::vector<cv::Mat> part(job.inputs.begin() + static_cast<std::ptrdiff_t>(begin),
                                      job.inputs.begin() + static_cast<std::ptrdiff_t>(begin + count));
      for (cv::Mat& face : enhancer_->enhance(part)) job.restored.push_back(std::move(face));
    }
  }
}

Result RestoreEngine::finish(PhotoJob job, const RestoreParams& params) const {
  stop_if_asked(params);
  if (task_ == "colorize") {
    // The model's colours under the face's own tones (the reference's post-processing).
    for (std::size_t i = 0; i < job.restored.size(); ++i) {
      const cv::Mat& source = job.is_aligned_crop ? job.aligned_original : job.aligned.at(i);
      job.restored[i] = with_luminance_of(job.restored[i], neutral_colours(source));
    }
  }
  PhotoFinishers finishers;
  finishers.upsampler = upsampler_.get();
  finishers.tile = options_.bg_tile;
  finishers.tile_pad = options_.bg_tile_pad;
  finishers.parser = parser_.get();
  if (job.is_aligned_crop) return finish_aligned(std::move(job), params, finishers);
  return finish_photo(std::move(job), with_output_scale(params), enhancer_->info().input_size, finishers);
}

}  // namespace gpen::detail
