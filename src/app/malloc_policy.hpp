#pragma once
// glibc returns every freed block of 32 MiB or more to the OS (it came from mmap) and trims the
// heap above 128 KiB, so a program that decodes, pastes and encodes one 12 MP photo after another
// page-faults each 36 MB image buffer in again. On the project's KVM machine a fault costs ~8 us:
// the read stage of a 12 MP photo took 0.9 s and the write stage 0.4 s, against 0.45 s and 0.07 s
// with freed memory kept (docs/benchmarks.md). The programs own their process, so they set the
// policy; the library does not (LibTorch's tensors have their own cache, device/cpu_block_cache).

namespace gpen::app {

/// Keeps freed memory in the process for reuse: no mmap for large blocks, trimming only above
/// 1 GiB. Left as it is when the user set any MALLOC_* variable or GLIBC_TUNABLES.
void keep_freed_memory();

}  // namespace gpen::app
