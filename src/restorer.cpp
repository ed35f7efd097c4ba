#include "gpen/restorer.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "device.hpp"
#include "face_controls.hpp"
#include "face_tensor.hpp"
#include "gpen/error.hpp"
#include "image_convert.hpp"
#include "torch_model.hpp"

namespace gpen {

namespace {

constexpr int kMinFaceSide = 16;

void validate_options(const RestorerOptions& options) {
  if (options.threads < 0 || options.threads > 1024) {
    throw Error(ErrorCode::InvalidArgument,
                "threads must be 0 (all cores) to 1024, got " + std::to_string(options.threads));
  }
  if (options.max_batch < 1 || options.max_batch > 256) {
    throw Error(ErrorCode::InvalidArgument,
                "max_batch must be 1-256, got " + std::to_string(options.max_batch));
  }
}

torch::Dtype model_dtype(Precision precision, const torch::Device& device) {
  if (precision == Precision::FP32) return torch::kFloat32;
  if (!device.is_cuda()) {
    throw Error(ErrorCode::InvalidArgument,
                std::string("precision ") + (precision == Precision::FP16 ? "fp16" : "bf16") +
                    " needs a CUDA device; use fp32 on the CPU");
  }
  return precision == Precision::FP16 ? torch::kFloat16 : torch::kBFloat16;
}

}  // namespace

struct Restorer::Impl {
  RestorerOptions options;
  torch::Device device{torch::kCPU};
  torch::Dtype dtype = torch::kFloat32;
  std::unique_ptr<detail::TorchModel> model;
};

Restorer::Restorer(const RestorerOptions& options) : impl_(std::make_unique<Impl>()) {
  validate_options(options);
  impl_->options = options;
  impl_->device = detail::resolve_device(options.device);
  impl_->dtype = model_dtype(options.precision, impl_->device);
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  if (options.model_path.empty()) {
    throw Error(ErrorCode::InvalidArgument, "model_path is empty: give a model exported with "
                                            "`python -m gpen.export`");
  }
  impl_->model = std::make_unique<detail::TorchModel>(options.model_path, impl_->device,
                                                      impl_->dtype);
}

Restorer::~Restorer() = default;
Restorer::Restorer(Restorer&&) noexcept = default;
Restorer& Restorer::operator=(Restorer&&) noexcept = default;

const ModelInfo& Restorer::model() const {
  if (!impl_->model) throw Error(ErrorCode::NoModel, "this Restorer has no model");
  return impl_->model->info();
}

const RestorerOptions& Restorer::options() const { return impl_->options; }

std::vector<Image> Restorer::restore_faces(const std::vector<ImageView>& aligned_faces,
                                           const RestoreParams& params) const {
  params.validate();
  if (!impl_->model) throw Error(ErrorCode::NoModel, "this Restorer has no model");
  const int size = impl_->model->info().size;
  std::vector<cv::Mat> originals, inputs;
  originals.reserve(aligned_faces.size());
  inputs.reserve(aligned_faces.size());
  for (std::size_t i = 0; i < aligned_faces.size(); ++i) {
    const std::string what = "aligned face #" + std::to_string(i);
    cv::Mat face = detail::to_bgr8(aligned_faces[i], what);
    if (face.cols < kMinFaceSide || face.rows < kMinFaceSide) {
      throw Error(ErrorCode::InvalidImage,
                  what + " is " + std::to_string(face.cols) + "x" + std::to_string(face.rows) +
                      "; aligned faces must be at least " + std::to_string(kMinFaceSide) + "x" +
                      std::to_string(kMinFaceSide));
    }
    if (face.cols != size || face.rows != size) {
      cv::Mat resized;
      cv::resize(face, resized, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
      face = resized;
    }
    originals.push_back(face);
    inputs.push_back(detail::prepare_face(face, params));
  }
  std::vector<Image> results;
  results.reserve(aligned_faces.size());
  const auto batch = static_cast<std::size_t>(impl_->options.max_batch);
  for (std::size_t begin = 0; begin < inputs.size(); begin += batch) {
    const std::size_t end = std::min(inputs.size(), begin + batch);
    torch::Tensor x = detail::faces_to_tensor(inputs, begin, end, impl_->device, impl_->dtype);
    std::vector<cv::Mat> restored = detail::tensor_to_faces(impl_->model->forward(x));
    for (std::size_t i = begin; i < end; ++i) {
      cv::Mat face = detail::finish_face(originals[i], restored[i - begin], params);
      results.push_back(detail::to_image(face, aligned_faces[i].order));
    }
  }
  return results;
}

Image Restorer::restore_face(const ImageView& aligned_face, const RestoreParams& params) const {
  return std::move(restore_faces({aligned_face}, params).front());
}

}  // namespace gpen
