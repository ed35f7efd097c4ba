#include "device/cuda_support.hpp"

#include <optional>
#include <string>

#include "gpen/error.hpp"

#if GPEN_HAVE_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace gpen::detail {

#if GPEN_HAVE_CUDA
namespace {

// The caching allocator is set up by LibTorch's lazy CUDA initialisation, which the first tensor
// on a CUDA device triggers (the call that does it directly differs between LibTorch versions).
int initialised_index(const torch::Device& device) {
  (void)torch::empty({1}, torch::TensorOptions().device(device));
  return device.has_index() ? device.index() : 0;
}

}  // namespace
#endif

struct DeviceStreamScope::State {
#if GPEN_HAVE_CUDA
  std::optional<c10::cuda::CUDAStreamGuard> guard;
#endif
};

DeviceStreamScope::DeviceStreamScope(const torch::Device& device) : state_(std::make_unique<State>()) {
#if GPEN_HAVE_CUDA
  if (device.is_cuda()) state_->guard.emplace(c10::cuda::getStreamFromPool(false, device.index()));
#else
  (void)device;
#endif
}

DeviceStreamScope::~DeviceStreamScope() = default;

void DeviceStreamScope::synchronize() const {
#if GPEN_HAVE_CUDA
  if (state_->guard) state_->guard->current_stream().synchronize();
#endif
}

void synchronize_current_stream(const torch::Device& device) {
#if GPEN_HAVE_CUDA
  if (device.is_cuda()) c10::cuda::getCurrentCUDAStream(device.index()).synchronize();
#else
  (void)device;
#endif
}

MemoryStats device_memory_stats(const torch::Device& device) {
  MemoryStats stats;
#if GPEN_HAVE_CUDA
  if (device.is_cuda()) {
    const int index = initialised_index(device);
    const auto s = c10::cuda::CUDACachingAllocator::getDeviceStats(index);
    constexpr std::size_t kAll = 0;  // StatType::AGGREGATE: all pools together
    stats.device_memory = true;
    stats.allocated_bytes = s.allocated_bytes[kAll].current;
    stats.reserved_bytes = s.reserved_bytes[kAll].current;
    stats.peak_allocated_bytes = s.allocated_bytes[kAll].peak;
    stats.peak_reserved_bytes = s.reserved_bytes[kAll].peak;
    stats.total_bytes = static_cast<std::int64_t>(at::cuda::getDeviceProperties(index)->totalGlobalMem);
  }
#else
  (void)device;
#endif
  return stats;
}

void cap_device_memory(const torch::Device& device, std::int64_t bytes) {
#if GPEN_HAVE_CUDA
  if (device.is_cuda()) {
    const int index = initialised_index(device);
    const double total = static_cast<double>(at::cuda::getDeviceProperties(index)->totalGlobalMem);
    if (static_cast<double>(bytes) > total) {
      throw Error(ErrorCode::InvalidArgument,
                  "memory_limit_mb " + std::to_string(bytes >> 20) + " exceeds the " +
                      std::to_string(static_cast<std::int64_t>(total) >> 20) + " MiB of " + device.str());
    }
    const double fraction = bytes > 0 ? static_cast<double>(bytes) / total : 1.0;
    c10::cuda::CUDACachingAllocator::setMemoryFraction(fraction, index);
    return;
  }
#endif
  if (bytes == 0) return;
  throw Error(ErrorCode::InvalidArgument,
              "memory_limit_mb applies to CUDA devices only (device is \"" + device.str() + "\"); use 0");
}

torch::TensorOptions host_staging(const torch::Device& device, torch::Dtype dtype) {
  return torch::TensorOptions().dtype(dtype).device(torch::kCPU).pinned_memory(device.is_cuda());
}

torch::Tensor copy_to_device(const torch::Tensor& host, const torch::Device& device) {
  torch::Tensor staged = torch::empty(host.sizes(), host_staging(device, host.scalar_type()));
  staged.copy_(host);
  return staged.to(device, /*non_blocking=*/true);
}

}  // namespace gpen::detail
