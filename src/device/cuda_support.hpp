#pragma once
// The CUDA-specific pieces: a stream per concurrent caller, and LibTorch's caching allocator
// (statistics, a cap). Compiled against CUDA only where LibTorch has it (GPEN_HAVE_CUDA);
// elsewhere streams are no-ops and there is no device memory to report.

#include <torch/types.h>

#include <cstdint>
#include <memory>

#include "gpen/model_info.hpp"

namespace gpen::detail {

/// For its lifetime, the calling thread's LibTorch work on `device` goes to a stream of its own
/// from LibTorch's stream pool (CUDA devices), so that concurrent callers overlap on the GPU.
/// Nothing changes on the CPU.
class DeviceStreamScope {
 public:
  explicit DeviceStreamScope(const torch::Device& device);
  ~DeviceStreamScope();
  DeviceStreamScope(const DeviceStreamScope&) = delete;
  DeviceStreamScope& operator=(const DeviceStreamScope&) = delete;

  /// Blocks until the work queued on this scope's stream is done (a no-op on the CPU). Called
  /// before tensors made here are handed to another thread's stream.
  void synchronize() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Blocks until the work queued on the calling thread's current stream for `device` is done
/// (a no-op on the CPU, where work is synchronous).
void synchronize_current_stream(const torch::Device& device);

/// The caching allocator's figures for `device` (all zero, device_memory false, on the CPU).
MemoryStats device_memory_stats(const torch::Device& device);

/// Caps what the caching allocator may hold on `device` at `bytes`, 0 = no cap (CUDA; the cap
/// is the process's for that device, so the last call wins). Throws gpen::Error(InvalidArgument)
/// when the cap exceeds the device's memory, or for a non-zero cap on the CPU.
void cap_device_memory(const torch::Device& device, std::int64_t bytes);

/// Host memory for copies to and from `device`: page-locked (pinned) for CUDA devices, so that
/// copies run asynchronously on the stream; ordinary memory on the CPU.
torch::TensorOptions host_staging(const torch::Device& device, torch::Dtype dtype);

/// A copy of the CPU tensor `host` (any strides) on `device`, made contiguous on the way: staged
/// through host_staging memory, so on CUDA it is one asynchronous copy on the current stream.
/// On the CPU it is a plain copy that owns its memory (`host` may wrap a cv::Mat).
torch::Tensor copy_to_device(const torch::Tensor& host, const torch::Device& device);

}  // namespace gpen::detail
