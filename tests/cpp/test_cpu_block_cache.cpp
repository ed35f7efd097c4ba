#include "torch_first.hpp"

#include <c10/core/CPUAllocator.h>

#include <thread>

#include "device/cpu_block_cache.hpp"
#include "test_support.hpp"

using gpen::detail::CpuBlockCache;

namespace {

constexpr int64_t kFloats4MiB = int64_t{1} << 20;

}  // namespace

TEST_CASE("cpu block cache: a large tensor freed in a scope is handed back to the next request of its size") {
  CpuBlockCache::Use use;
  CpuBlockCache& cache = CpuBlockCache::instance();
  cache.release();
  void* first = nullptr;
  const std::size_t hits = cache.hits();
  {
    CpuBlockCache::Scope scope;
    first = torch::empty({kFloats4MiB}).data_ptr();
    CHECK(cache.free_bytes() == std::size_t{4} << 20);  // the temporary is back in the cache
    const torch::Tensor again = torch::empty({kFloats4MiB - 7});  // rounds up to the same 4 MiB
    CHECK(again.data_ptr() == first);
    CHECK(cache.hits() == hits + 1);
    CHECK(cache.free_bytes() == 0);
  }
  cache.release();
  CHECK(cache.free_bytes() == 0);
}

TEST_CASE("cpu block cache: a free block serves requests from half its size up, the smallest that fits first") {
  CpuBlockCache::Use use;
  CpuBlockCache& cache = CpuBlockCache::instance();
  cache.release();
  CpuBlockCache::Scope scope;
  void* big = nullptr;
  void* small = nullptr;
  {
    const torch::Tensor a = torch::empty({2 * kFloats4MiB});  // 8 MiB
    const torch::Tensor b = torch::empty({kFloats4MiB + kFloats4MiB / 4});  // 5 MiB
    big = a.data_ptr();
    small = b.data_ptr();
  }
  CHECK(torch::empty({kFloats4MiB + kFloats4MiB / 8}).data_ptr() == small);  // 4.5 MiB: the 5 MiB block
  CHECK(torch::empty({kFloats4MiB + kFloats4MiB / 2}).data_ptr() == big);    // 6 MiB: only the 8 fits
  const std::size_t misses = cache.misses();
  const torch::Tensor c = torch::empty({kFloats4MiB / 2});  // 2 MiB: 5 and 8 are over twice that
  CHECK(c.data_ptr() != big);
  CHECK(c.data_ptr() != small);
  CHECK(cache.misses() == misses + 1);
  cache.release();
}

TEST_CASE("cpu block cache: outside a scope, and below 1 MiB, requests pass through untouched") {
  CpuBlockCache::Use use;
  CpuBlockCache& cache = CpuBlockCache::instance();
  cache.release();
  const std::size_t hits = cache.hits(), misses = cache.misses();
  torch::empty({kFloats4MiB}).fill_(1.0f);
  {
    CpuBlockCache::Scope scope;
    torch::empty({1000}).fill_(1.0f);  // 4 kB
  }
  CHECK(cache.hits() == hits);
  CHECK(cache.misses() == misses);
  CHECK(cache.free_bytes() == 0);
}

TEST_CASE("cpu block cache: raw allocations (oneDNN's) come back through raw_deleter") {
  CpuBlockCache::Use use;
  CpuBlockCache& cache = CpuBlockCache::instance();
  cache.release();
  c10::Allocator* allocator = c10::GetCPUAllocator();
  REQUIRE(allocator == &cache);
  CpuBlockCache::Scope scope;
  void* raw = allocator->raw_allocate(3 << 20);
  static_cast<char*>(raw)[(3 << 20) - 1] = 1;
  allocator->raw_deallocate(raw);
  CHECK(cache.free_bytes() == std::size_t{3} << 20);
  void* again = allocator->raw_allocate(3 << 20);
  CHECK(again == raw);
  allocator->raw_deallocate(again);
  cache.release();
}

TEST_CASE("cpu block cache: the free bytes stay under the limit, and all go with the last user") {
  CpuBlockCache& cache = CpuBlockCache::instance();
  {
    CpuBlockCache::Use use;
    cache.release();
    cache.set_limit(std::size_t{6} << 20);
    {
      CpuBlockCache::Scope scope;
      std::vector<torch::Tensor> held;
      for (int i = 0; i < 3; ++i) held.push_back(torch::empty({kFloats4MiB}));
      held.clear();  // 12 MiB given back, 6 may stay
    }
    CHECK(cache.free_bytes() == std::size_t{4} << 20);  // one 4 MiB block fits, the oldest two went
    cache.limit_to_peak();
  }
  // Other tests in this process may hold models (users) of their own; release() is what is left.
  cache.release();
  CHECK(cache.free_bytes() == 0);
}

TEST_CASE("cpu block cache: threads allocating, filling and freeing at once keep their data") {
  CpuBlockCache::Use use;
  auto work = [](float value, bool* ok) {
    CpuBlockCache::Scope scope;
    for (int i = 0; i < 50; ++i) {
      torch::Tensor t = torch::full({kFloats4MiB / 2 + i % 3}, value);
      torch::Tensor u = t * 2;
      if (u.min().item<float>() != 2 * value || u.max().item<float>() != 2 * value) *ok = false;
    }
  };
  bool ok_a = true, ok_b = true;
  std::thread a(work, 1.0f, &ok_a), b(work, 3.0f, &ok_b);
  a.join();
  b.join();
  CHECK(ok_a);
  CHECK(ok_b);
  CpuBlockCache::instance().release();
}
