#include "model/torchscript_file.hpp"

#include <caffe2/serialize/inline_container.h>

#include <algorithm>
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

std::string first_bytes(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(n, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(n));
  bytes.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  return bytes;
}

// What to tell the owner of a published checkpoint.
Error checkpoint_error(const std::string& path, const std::string& kind) {
  const std::string out = fs::path(path).replace_extension(".pt").string();
  return Error(ErrorCode::InvalidModel,
               "model " + path + " is a PyTorch checkpoint (" + kind + "), not an exported gpen model; convert "
               "it once (needs Python with torch, e.g. Debian's python3-torch): PYTHONPATH=python python3 -m "
               "gpen.export gpen --checkpoint " + path + " -o " + out + " (docs/getting-weights.md)");
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
  const std::string magic = first_bytes(path, 4);
  // torch.save's legacy format is a pickle stream: protocol 2+ starts with 0x80.
  if (!magic.empty() && static_cast<unsigned char>(magic[0]) == 0x80) {
    throw checkpoint_error(path, "legacy pickle format");
  }
  if (magic != std::string("PK\x03\x04", 4)) {
    throw Error(ErrorCode::InvalidModel,
                "model " + path + " is not a TorchScript archive (published .pth checkpoints "
                "must first be converted with `python -m gpen.export`)");
  }
  bool has_code = true;
  bool has_data = false;
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    has_code = reader.hasRecord("constants.pkl");
    has_data = reader.hasRecord("data.pkl");
  } catch (const std::exception&) {
    return;  // unreadable: LibTorch's own load says how (truncated, ...)
  }
  if (!has_code && has_data) throw checkpoint_error(path, "a torch.save zip");
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

}  // namespace gpen::detail
