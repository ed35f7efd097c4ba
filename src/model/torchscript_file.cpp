#include "model/torchscript_file.hpp"

#include <filesystem>
#include <fstream>

#include "gpen/error.hpp"
#include "model/model_metadata.hpp"

namespace gpen::detail {
namespace fs = std::filesystem;

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

namespace {

// TorchScript archives are zip files; anything else gets a plain message instead of a
// LibTorch stack trace.
bool looks_like_zip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {0, 0, 0, 0};
  in.read(magic, 4);
  return in.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

}  // namespace

TorchScriptFile load_torchscript(const std::string& path, const torch::Device& device) {
  std::error_code ec;
  if (path.empty()) throw Error(ErrorCode::InvalidArgument, "model path is empty");
  if (!fs::exists(path, ec)) throw Error(ErrorCode::FileNotFound, "model file not found: " + path);
  if (!fs::is_regular_file(path, ec)) {
    throw Error(ErrorCode::InvalidModel, "model " + path + " is not a regular file");
  }
  if (fs::file_size(path, ec) == 0) throw Error(ErrorCode::InvalidModel, "model file is empty: " + path);
  if (!looks_like_zip(path)) {
    throw Error(ErrorCode::InvalidModel,
                "model " + path + " is not a TorchScript archive (published .pth checkpoints "
                "must first be converted with `python -m gpen.export`)");
  }
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

}  // namespace gpen::detail
