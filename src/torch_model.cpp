#include "torch_model.hpp"

#include "gpen/error.hpp"
#include "model_metadata.hpp"
#include "torchscript_file.hpp"

namespace gpen::detail {

TorchModel::TorchModel(const std::string& path, const torch::Device& device, torch::Dtype dtype)
    : device_(device) {
  TorchScriptFile file = load_torchscript(path, device);
  info_ = parse_model_metadata(file.metadata, path);
  try {
    file.module.eval();
    if (dtype != torch::kFloat32) file.module.to(dtype);
    module_ = torch::jit::freeze(file.module);
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::InvalidModel,
                "cannot prepare model " + path + ": " + first_line(e.what_without_backtrace()));
  }
}

torch::Tensor TorchModel::forward(const torch::Tensor& batch) const {
  c10::InferenceMode guard;
  try {
    return module_.forward({batch}).toTensor();
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::Internal, "model " + info_.path + " failed on a batch of " +
                                         std::to_string(batch.size(0)) + ": " +
                                         first_line(e.what_without_backtrace()));
  }
}

}  // namespace gpen::detail
