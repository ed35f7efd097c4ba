#include "model/torch_model.hpp"

#include "gpen/error.hpp"
#include "model/model_metadata.hpp"
#include "model/torchscript_file.hpp"

namespace gpen::detail {

TorchModel::TorchModel(const std::string& path, const torch::Device& device, torch::Dtype dtype,
                       bool channels_last)
    : device_(device) {
  TorchScriptFile file = load_torchscript(path, device);
  info_ = parse_model_metadata(file.metadata, path);
  try {
    file.module.eval();
    if (dtype != torch::kFloat32) file.module.to(dtype);
    if (channels_last) {
      torch::NoGradGuard no_grad;
      auto to_nhwc = [](torch::Tensor t) {
        if (t.dim() == 4) t.set_data(t.contiguous(torch::MemoryFormat::ChannelsLast));
      };
      for (const torch::Tensor& t : file.module.parameters()) to_nhwc(t);
      for (const torch::Tensor& t : file.module.buffers()) to_nhwc(t);  // exported weights are buffers
    }
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
  } catch (const c10::OutOfMemoryError& e) {
    throw Error(ErrorCode::OutOfMemory, "model " + info_.path + " ran out of " + device_.str() +
                                            " memory on a batch of " + std::to_string(batch.size(0)) +
                                            " faces (lower max_batch or raise memory_limit_mb): " +
                                            first_line(e.what_without_backtrace()));
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::Internal, "model " + info_.path + " failed on a batch of " +
                                         std::to_string(batch.size(0)) + ": " +
                                         first_line(e.what_without_backtrace()));
  }
}

}  // namespace gpen::detail
