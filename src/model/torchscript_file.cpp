#include "model/torchscript_file.hpp"

#include <filesystem>

#include "catalogue/model_file_kind.hpp"
#include "gpen/error.hpp"
#include "model/model_metadata.hpp"

namespace gpen::detail {
namespace fs = std::filesystem;

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

namespace {

// What to tell the owner of a published checkpoint.
Error checkpoint_error(const std::string& path, const std::string& kind) {
  const std::string out = fs::path(path).replace_extension(".pt").string();
  return Error(ErrorCode::InvalidModel,
               "model " + path + " is a PyTorch checkpoint (" + kind + "), not an exported gpen model; a "
               "Restorer converts it by itself, or convert it once (needs Python with torch, e.g. Debian's "
               "python3-torch): gpen models convert " + path + ", or python3 -m gpen.export gpen --checkpoint " +
               path + " -o " + out + " (docs/getting-weights.md)");
}

}  // namespace

void check_model_file(const std::string& path) {
  std::error_code ec;
  if (path.empty()) throw Error(ErrorCode::InvalidArgument, "model path is empty");
  if (!fs::exists(path, ec)) throw Error(ErrorCode::FileNotFound, "model file not found: " + path);
  if (!fs::is_regular_file(path, ec)) {
    throw Error(ErrorCode::InvalidModel, "model " + path + " is not a regular file");
  }
  if (fs::file_size(path, ec) == 0) throw Error(ErrorCode::InvalidModel, "model file is empty: " + path);
  switch (model_file_kind(path)) {
    case ModelFileKind::Archive:
      return;  // TorchScript, or damaged: LibTorch's own load says how (truncated, ...)
    case ModelFileKind::CheckpointPickle:
      throw checkpoint_error(path, "legacy pickle format");
    case ModelFileKind::CheckpointZip:
      throw checkpoint_error(path, "a torch.save zip");
    case ModelFileKind::Other:
      break;
  }
  throw Error(ErrorCode::InvalidModel, "model " + path + " is not a TorchScript archive (published .pth "
                                       "checkpoints are converted by `gpen models convert FILE.pth`)");
}

TorchScriptFile load_torchscript(const std::string& path, const torch::Device& device) {
  check_model_file(path);
  TorchScriptFile file;
  torch::jit::ExtraFilesMap extra{{kMetadataFile, ""}};
  try {
    file.module = torch::jit::load(path, device, extra);
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::InvalidModel, "cannot load model " + path +
                                             " (truncated or not a TorchScript archive): " +
                                             first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw Error(ErrorCode::InvalidModel, "cannot load model " + path + ": " + first_line(e.what()));
  }
  file.metadata = extra[kMetadataFile];
  return file;
}

torch::jit::Module frozen_for_inference(torch::jit::Module module, const std::string& path, torch::Dtype dtype,
                                        bool channels_last) {
  try {
    module.eval();
    if (dtype != torch::kFloat32) module.to(dtype);
    if (channels_last) {
      torch::NoGradGuard no_grad;
      for (const torch::Tensor& t : module.parameters()) {
        if (t.dim() == 4) t.set_data(t.contiguous(torch::MemoryFormat::ChannelsLast));
      }
    }
    return torch::jit::freeze(module);
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::InvalidModel, "cannot prepare model " + path + ": " + first_line(e.what_without_backtrace()));
  }
}

}  // namespace gpen::detail
