#include "gpen/restorer.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <thread>

#include "device/cuda_support.hpp"
#include "device/device.hpp"
#include "photo/face_finishing.hpp"
#include "gpen/error.hpp"
#include "imaging/image_convert.hpp"
#include "restorer/restorer_impl.hpp"
#include "model/torch_errors.hpp"

namespace gpen {

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
void warm_up(const detail::FaceEnhancer& enhancer, int max_batch) {
  const int size = enhancer.info().size;
  const detail::DeviceStreamScope stream(enhancer.device());
  const std::vector<cv::Mat> blank(static_cast<std::size_t>(max_batch), cv::Mat(size, size, CV_8UC3, cv::Scalar::all(128)));
  detail::with_torch_errors("warm-up of " + enhancer.info().path, [&] { return enhancer.enhance(blank); });
}

}  // namespace

const FaceDetector& Restorer::Impl::detector() const {
  std::call_once(detector_once, [this] {
    if (!detector_instance) detector_instance = make_face_detector(options.detector, options.device);
  });
  return *detector_instance;
}

Restorer::Restorer(const RestorerOptions& options) : Restorer(options, nullptr) {}

Restorer::Restorer(const RestorerOptions& options, std::unique_ptr<FaceDetector> detector)
    : impl_(std::make_unique<Impl>()) {
  options.validate();
  impl_->options = options;
  const torch::Device device = detail::resolve_device(options.device);
  const torch::Dtype dtype = model_dtype(options.precision, device);
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  detail::cap_device_memory(device, std::int64_t{options.memory_limit_mb} << 20);
  impl_->detector_instance = std::move(detector);
  impl_->device = device;
  if (options.model_path.empty()) {
    impl_->enhancer = detail::make_classic_enhancer();
  } else {
    impl_->enhancer = detail::make_gpen_enhancer(options.model_path, device, dtype, options.max_batch);
    impl_->has_model = true;
    impl_->photo_ops_on_device = options.photo_ops == PhotoOps::Device ||
                                 (options.photo_ops == PhotoOps::Auto && device.is_cuda());
    if (options.warmup && device.is_cuda()) warm_up(*impl_->enhancer, options.max_batch);
  }
}

Restorer::~Restorer() = default;
Restorer::Restorer(Restorer&&) noexcept = default;
Restorer& Restorer::operator=(Restorer&&) noexcept = default;

bool Restorer::has_model() const { return impl_->has_model; }
const ModelInfo& Restorer::model() const { return impl_->enhancer->info(); }
const RestorerOptions& Restorer::options() const { return impl_->options; }
MemoryStats Restorer::memory_stats() const { return detail::device_memory_stats(impl_->device); }

std::vector<Image> Restorer::restore_faces(const std::vector<ImageView>& aligned_faces,
                                           const RestoreParams& params) const {
  params.validate();
  const int size = model().size;
  std::vector<cv::Mat> originals, inputs;
  originals.reserve(aligned_faces.size());
  inputs.reserve(aligned_faces.size());
  for (std::size_t i = 0; i < aligned_faces.size(); ++i) {
    originals.push_back(detail::aligned_face_input(aligned_faces[i], size, "aligned face #" + std::to_string(i)));
    inputs.push_back(detail::prepare_face(originals.back(), params));
  }
  const detail::DeviceStreamScope stream(impl_->device);
  const std::vector<cv::Mat> restored = detail::with_torch_errors(
      "restoring aligned faces", [&] { return impl_->enhancer->enhance(inputs); });
  std::vector<Image> results;
  results.reserve(restored.size());
  for (std::size_t i = 0; i < restored.size(); ++i) {
    const cv::Mat face = detail::finish_aligned_face(originals[i], restored[i], params);
    results.push_back(detail::to_image(face, aligned_faces[i].order));
  }
  return results;
}

Image Restorer::restore_face(const ImageView& aligned_face, const RestoreParams& params) const {
  return std::move(restore_faces({aligned_face}, params).front());
}

}  // namespace gpen
