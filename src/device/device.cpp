#include "device/device.hpp"

#include <torch/cuda.h>

#include "gpen/error.hpp"

namespace gpen::detail {

torch::Device resolve_device(const std::string& name) {
  if (name == "cpu") return torch::Device(torch::kCPU);
  int index = 0;
  if (name.rfind("cuda", 0) == 0) {
    const std::string rest = name.substr(4);
    if (!rest.empty()) {
      const bool digits = rest.size() >= 2 && rest[0] == ':' &&
                          rest.find_first_not_of("0123456789", 1) == std::string::npos;
      if (!digits || rest.size() > 4) {
        throw Error(ErrorCode::InvalidArgument,
                    "device must be \"cpu\", \"cuda\" or \"cuda:N\", got \"" + name + "\"");
      }
      index = std::stoi(rest.substr(1));
    }
    if (!torch::cuda::is_available()) {
      throw Error(ErrorCode::DeviceUnavailable,
                  "device \"" + name + "\" requested, but this LibTorch build has no CUDA or "
                  "no CUDA GPU is present; use device \"cpu\"");
    }
    const int count = static_cast<int>(torch::cuda::device_count());
    if (index >= count) {
      throw Error(ErrorCode::DeviceUnavailable,
                  "device \"" + name + "\" requested, but only " + std::to_string(count) +
                      " CUDA device(s) are present");
    }
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error(ErrorCode::InvalidArgument,
              "device must be \"cpu\", \"cuda\" or \"cuda:N\", got \"" + name + "\"");
}

}  // namespace gpen::detail
