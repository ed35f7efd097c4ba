#pragma once
// Every failure of the library is a gpen::Error: a code to branch on and a message that says
// what was wrong and with which file or argument.

#include <stdexcept>
#include <string>
#include "gpen/export.hpp"

namespace gpen {

enum class ErrorCode {
  InvalidArgument = 1,    ///< a parameter or option out of range, or of the wrong kind
  FileNotFound = 2,       ///< an input file (image, model) does not exist
  InvalidModel = 3,       ///< the model file is not a TorchScript archive, is truncated, or has no metadata
  UnsupportedModel = 4,   ///< the model's metadata names a format version or architecture we do not run
  InvalidImage = 5,       ///< an image that cannot be used: empty, too small, unsupported channels/depth
  DecodeFailed = 6,       ///< an image file that cannot be decoded
  EncodeFailed = 7,       ///< an image that cannot be written
  DeviceUnavailable = 8,  ///< the requested device (e.g. "cuda:1") does not exist in this build or machine
  // 9 was NoModel, never raised; the number stays unused.
  OutOfMemory = 10,       ///< the device ran out of memory (or reached RestorerOptions::memory_limit_mb)
  Cancelled = 11,         ///< a should_stop callback asked to stop (RestoreParams, BatchOptions)
  Internal = 100,         ///< a failure inside LibTorch or OpenCV; the message carries theirs
};

/// Short stable name of a code, e.g. "invalid-model".
GPEN_API const char* error_code_name(ErrorCode code);

class GPEN_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace gpen
