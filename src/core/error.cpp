#include "gpen/error.hpp"

namespace gpen {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "invalid-argument";
    case ErrorCode::FileNotFound: return "file-not-found";
    case ErrorCode::InvalidModel: return "invalid-model";
    case ErrorCode::UnsupportedModel: return "unsupported-model";
    case ErrorCode::InvalidImage: return "invalid-image";
    case ErrorCode::DecodeFailed: return "decode-failed";
    case ErrorCode::EncodeFailed: return "encode-failed";
    case ErrorCode::DeviceUnavailable: return "device-unavailable";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::OutOfMemory: return "out-of-memory";
    case ErrorCode::Internal: return "internal";
  }
  return "unknown";
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

}  // namespace gpen
