#pragma once
// Parsing and checking device strings ("cpu", "cuda", "cuda:N").

#include <torch/types.h>

#include <string>

namespace gpen::detail {

/// The torch device for `name`. Throws gpen::Error: InvalidArgument for a malformed name,
/// DeviceUnavailable when this LibTorch has no CUDA or the machine has no such GPU.
torch::Device resolve_device(const std::string& name);

}  // namespace gpen::detail
