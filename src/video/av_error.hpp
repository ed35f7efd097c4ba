#pragma once
// FFmpeg return codes as gpen::Error messages.

extern "C" {
#include <libavutil/error.h>
}

#include <string>

#include "gpen/error.hpp"

namespace gpen::detail {

/// FFmpeg's own words for a negative return code.
inline std::string av_error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

/// Throws gpen::Error(`kind`, "`what`: FFmpeg's reason") when `code` is negative; returns it otherwise.
inline int check_av(int code, ErrorCode kind, const std::string& what) {
  if (code < 0) throw Error(kind, what + ": " + av_error_text(code));
  return code;
}

}  // namespace gpen::detail
