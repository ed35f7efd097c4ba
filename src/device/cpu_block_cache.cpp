#include "device/cpu_block_cache.hpp"

#include <c10/core/CPUAllocator.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

namespace gpen::detail {

namespace {

thread_local int scope_depth = 0;

constexpr std::size_t kMiB = std::size_t{1} << 20;

// GPEN_CPU_CACHE_MB in bytes, or `otherwise` (also for a value that is not a whole number).
std::size_t limit_from_environment(std::size_t otherwise) {
  if (const char* text = std::getenv("GPEN_CPU_CACHE_MB")) {
    try {
      std::size_t used = 0;
      const unsigned long long mib = std::stoull(text, &used);
      if (used == std::string(text).size() && used > 0) return static_cast<std::size_t>(mib) * kMiB;
    } catch (const std::exception&) {
    }
  }
  return otherwise;
}

}  // namespace

CpuBlockCache::CpuBlockCache(c10::Allocator* underlying, std::size_t limit)
    : underlying_(underlying), limit_(limit) {}

CpuBlockCache& CpuBlockCache::instance() {
  // Never destroyed: tensors holding its blocks may outlive every static.
  static CpuBlockCache* cache = [] {
    auto* made = new CpuBlockCache(c10::GetCPUAllocator(), limit_from_environment(kPeak));
    if (made->limit_ > 0) {
      c10::SetCPUAllocator(made, /*priority=*/1);
      made->installed_ = true;
    }
    return made;
  }();
  return *cache;
}

CpuBlockCache::Scope::Scope() {
  instance();
  ++scope_depth;
}

CpuBlockCache::Scope::~Scope() { --scope_depth; }

CpuBlockCache::Use::Use() {
  CpuBlockCache& cache = instance();
  std::lock_guard<std::mutex> lock(cache.mutex_);
  ++cache.users_;
}

CpuBlockCache::Use::~Use() {
  CpuBlockCache& cache = instance();
  std::lock_guard<std::mutex> lock(cache.mutex_);
  if (--cache.users_ == 0) cache.trim_to(0);
}

c10::DataPtr CpuBlockCache::allocate(std::size_t bytes) const {
  if (scope_depth == 0 || !installed_ || bytes < kMinBlock) return underlying_->allocate(bytes);
  const std::size_t rounded = (bytes + kMiB - 1) / kMiB * kMiB;
  Block* block = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto best = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      const std::size_t size = (*it)->bytes;
      if (size >= rounded && size <= 2 * rounded && (best == free_.end() || size < (*best)->bytes)) best = it;
    }
    if (best != free_.end()) {
      block = *best;
      free_.erase(best);
      free_bytes_ -= block->bytes;
      ++hits_;
    } else {
      ++misses_;
    }
  }
  if (!block) block = new Block{rounded, underlying_->allocate(rounded)};
  void* memory = block->memory.get();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    in_use_[memory] = block;
    in_use_bytes_ += block->bytes;
    peak_in_use_bytes_ = std::max(peak_in_use_bytes_, in_use_bytes_);
  }
  return c10::DataPtr(memory, memory, &CpuBlockCache::free_memory, c10::Device(c10::DeviceType::CPU));
}

c10::DeleterFnPtr CpuBlockCache::raw_deleter() const { return &CpuBlockCache::free_memory; }

void CpuBlockCache::copy_data(void* dest, const void* src, std::size_t count) const {
  if (count > 0) std::memcpy(dest, src, count);
}

void CpuBlockCache::free_memory(void* memory) { instance().keep(memory); }

void CpuBlockCache::keep(void* memory) {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto found = in_use_.find(memory);
  if (found == in_use_.end()) {  // served by the underlying allocator, handed out raw
    lock.unlock();
    underlying_->raw_deleter()(memory);
    return;
  }
  Block* block = found->second;
  in_use_.erase(found);
  in_use_bytes_ -= block->bytes;
  free_.push_back(block);
  free_bytes_ += block->bytes;
  trim_to(free_limit());
}

std::size_t CpuBlockCache::free_limit() const {
  if (users_ == 0) return 0;
  return limit_ == kPeak ? 2 * peak_in_use_bytes_ : limit_;
}

void CpuBlockCache::trim_to(std::size_t limit) {
  while (free_bytes_ > limit && !free_.empty()) {
    Block* oldest = free_.front();
    free_.pop_front();
    free_bytes_ -= oldest->bytes;
    delete oldest;
  }
}

void CpuBlockCache::set_limit(std::size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  limit_ = bytes;
  trim_to(free_limit());
}

void CpuBlockCache::limit_to_peak() { set_limit(kPeak); }

void CpuBlockCache::release() {
  std::lock_guard<std::mutex> lock(mutex_);
  trim_to(0);
}

std::size_t CpuBlockCache::free_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return free_bytes_;
}

std::size_t CpuBlockCache::hits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return hits_;
}

std::size_t CpuBlockCache::misses() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return misses_;
}

}  // namespace gpen::detail
