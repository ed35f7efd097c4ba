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

namespace {

std::string shape_text(const torch::Tensor& t) {
  std::string out = "[";
  for (int64_t d = 0; d < t.dim(); ++d) out += (d ? ", " : "") + std::to_string(t.size(d));
  return out + "]";
}

}  // namespace

// A model file is untrusted input: its output is checked before anything indexes it.
torch::Tensor TorchModel::checked_output(const c10::IValue& result, const torch::Tensor& batch) const {
  const std::string model = "model " + info_.path;
  if (!result.isTensor()) {
    throw Error(ErrorCode::InvalidModel, model + " returned a " + result.tagKind() + ", not a tensor");
  }
  const torch::Tensor out = result.toTensor();
  const int64_t side = batch.size(2) * info_.size / info_.input_size;  // the metadata's output size
  const std::vector<int64_t> expected = {batch.size(0), 3, side, side};
  if (out.sizes().vec() != expected) {
    throw Error(ErrorCode::InvalidModel, model + " returned a tensor of shape " + shape_text(out) +
                                             " for an input of " + shape_text(batch) + "; this GPEN model returns [" +
                                             std::to_string(batch.size(0)) + ", 3, " + std::to_string(side) + ", " +
                                             std::to_string(side) + "] (same batch, 3 channels, its metadata's size)");
  }
  if (!out.is_floating_point()) {
    throw Error(ErrorCode::InvalidModel, model + " returned " + std::string(c10::toString(out.scalar_type())) +
                                             " values; a GPEN model returns floating point");
  }
  if (!torch::isfinite(out).all().item<bool>()) {
    throw Error(ErrorCode::InvalidModel, model + " returned non-finite values (NaN or infinity)");
  }
  return out;
}

torch::Tensor TorchModel::forward(const torch::Tensor& batch) const {
  c10::InferenceMode guard;
  CpuBlockCache::Scope cached_blocks;
  try {
    return checked_output(module_.forward({batch}), batch);
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
