#pragma once
// LibTorch's exceptions turned into gpen::Error at the library's edges.

#include <c10/util/Exception.h>

#include <string>
#include <utility>

#include "gpen/error.hpp"
#include "model/torchscript_file.hpp"

namespace gpen::detail {

/// Runs `f`. A c10::OutOfMemoryError becomes gpen::Error(OutOfMemory), any other c10::Error
/// gpen::Error(Internal); both messages start with `what` and carry LibTorch's first line.
template <class F>
auto with_torch_errors(const std::string& what, F&& f) -> decltype(f()) {
  try {
    return std::forward<F>(f)();
  } catch (const c10::OutOfMemoryError& e) {
    throw Error(ErrorCode::OutOfMemory, what + ": out of device memory (lower max_batch or the photo size, or "
                                               "raise memory_limit_mb): " + first_line(e.what_without_backtrace()));
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::Internal, what + ": " + first_line(e.what_without_backtrace()));
  }
}

}  // namespace gpen::detail
