#pragma once
// Loading a TorchScript archive with its gpen metadata entry, with plain error messages.

#include <torch/script.h>

#include <string>

namespace gpen::detail {

struct TorchScriptFile {
  torch::jit::Module module;
  std::string metadata;  ///< contents of gpen/meta.json; empty when the archive has none
};

/// Throws gpen::Error: FileNotFound (no such file), InvalidModel (empty, a directory, not a
/// TorchScript archive, truncated, or a PyTorch checkpoint: see check_model_file).
TorchScriptFile load_torchscript(const std::string& path, const torch::Device& device);

/// `module` in eval mode, frozen (constants folded, batch norms fused) for inference, converted
/// to `dtype` first; with `channels_last` its 4-D weights are stored NHWC (give it NHWC inputs:
/// oneDNN then runs convolutions without reordering). Throws gpen::Error(InvalidModel) naming
/// `path` if LibTorch refuses.
torch::jit::Module frozen_for_inference(torch::jit::Module module, const std::string& path,
                                        torch::Dtype dtype = torch::kFloat32, bool channels_last = false);

/// Checks that `path` is a regular, non-empty zip archive holding TorchScript. A published
/// checkpoint (`torch.save`: a zip without TorchScript code, or the legacy pickle format) gets
/// InvalidModel saying what it is and the one command that converts it, never LibTorch's
/// "constants.pkl" message.
void check_model_file(const std::string& path);

/// The first line of a (LibTorch) error message, without its backtrace.
std::string first_line(const std::string& text);

}  // namespace gpen::detail
