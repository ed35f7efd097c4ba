#pragma once
// Writing files so that a crash or kill leaves either the old state or the complete new file.

#include <cstddef>
#include <string>

namespace gpen::detail {

/// Writes `size` bytes to a temporary file beside `path`, flushes it to disk and renames it
/// over `path`. Throws gpen::Error(EncodeFailed) naming the file and the OS error.
void write_file_atomically(const std::string& path, const void* data, std::size_t size);

}  // namespace gpen::detail
