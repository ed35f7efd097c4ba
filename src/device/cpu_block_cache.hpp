#pragma once
// Reuse of LibTorch's large CPU buffers between model calls.
//
// A GPEN-512 forward pass allocates and frees about 2 GB of feature maps. glibc serves every
// block over 32 MiB with a fresh mmap and unmaps it on free, so each call page-faults all of it
// in again: on a KVM machine that was 80% of the time of a face (7.3 s instead of 1.4 s).
// The cache keeps freed blocks of 1 MiB or more and hands the smallest that fits (at most twice
// the size asked for) to the next request. It is LibTorch's CPU allocator once installed, but caches only what is
// allocated inside a Scope on the calling thread (the library's model calls), so a host program's
// own tensors are served exactly as before.
//
// The bytes kept while free are bounded by twice the most the cache ever had in use at once (blocks
// of one call's sizes rarely line up with the next's exactly: with the bound at 1x, a batch of 2
// faces evicted and re-faulted a quarter of its blocks every call); GPEN_CPU_CACHE_MB sets a fixed
// bound instead (0 turns the cache off).

#include <c10/core/Allocator.h>

#include <cstddef>
#include <list>
#include <mutex>
#include <unordered_map>

namespace gpen::detail {

class CpuBlockCache final : public c10::Allocator {
 public:
  /// The process's cache, installed as LibTorch's CPU allocator on first use.
  static CpuBlockCache& instance();

  /// While one exists on a thread, that thread's large CPU tensors come from the cache.
  class Scope {
   public:
    Scope();
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
  };

  /// Holds the cache's blocks while alive; when the last holder goes, free blocks are released.
  class Use {
   public:
    Use();
    ~Use();
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
  };

  // c10::Allocator::allocate is const in LibTorch 1.13 and not from PyTorch 2.3 (the GPU machine's
  // 2.11): both are declared, without `override`, and whichever the base has is overridden.
  c10::DataPtr allocate(std::size_t bytes) const;
  c10::DataPtr allocate(std::size_t bytes) { return static_cast<const CpuBlockCache&>(*this).allocate(bytes); }
  c10::DeleterFnPtr raw_deleter() const;  // (no `override` on any: see allocate)
  // Pure virtual in c10::Allocator from PyTorch 2.3 (the GPU machine's LibTorch), absent in 1.13:
  // declared without `override` so both compile.
  void copy_data(void* dest, const void* src, std::size_t count) const;

  /// Frees every block not in use.
  void release();
  /// Bounds the bytes kept while free (trims now); 0 frees each block when it is given back.
  void set_limit(std::size_t bytes);
  /// Back to the default bound: twice the peak of the bytes in use at once.
  void limit_to_peak();
  /// Bytes held while free, waiting for reuse.
  std::size_t free_bytes() const;
  /// Requests served from a kept block / by a new one, since the start.
  std::size_t hits() const;
  std::size_t misses() const;

  /// Blocks smaller than this are never kept.
  static constexpr std::size_t kMinBlock = std::size_t{1} << 20;

 private:
  struct Block {
    std::size_t bytes;
    c10::DataPtr memory;  // from the allocator that was LibTorch's before ours
  };

  explicit CpuBlockCache(c10::Allocator* underlying, std::size_t limit);
  // The deleter of every block it hands out, and its raw_deleter (oneDNN allocates through
  // raw_allocate): a block of the cache goes back to it, any other pointer to the underlying one.
  static void free_memory(void* memory);
  void keep(void* memory);
  void trim_to(std::size_t limit);  // with mutex_ held
  std::size_t free_limit() const;   // with mutex_ held

  c10::Allocator* underlying_;
  std::size_t limit_;       // bytes kept while free; kPeak: twice the peak in use
  static constexpr std::size_t kPeak = ~std::size_t{0};
  bool installed_ = false;  // false when GPEN_CPU_CACHE_MB was 0: every request passes through
  mutable std::mutex mutex_;
  mutable std::list<Block*> free_;  // oldest first
  mutable std::unordered_map<void*, Block*> in_use_;
  mutable std::size_t free_bytes_ = 0;
  mutable std::size_t in_use_bytes_ = 0;
  mutable std::size_t peak_in_use_bytes_ = 0;
  mutable std::size_t hits_ = 0;
  mutable std::size_t misses_ = 0;
  int users_ = 0;
};

}  // namespace gpen::detail
