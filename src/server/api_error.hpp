#pragma once
// The API's errors: an HTTP status, a stable code and a message, sent as
// {"error":{"code":"...","message":"..."}}.

#include <stdexcept>
#include <string>

#include "gpen/error.hpp"

namespace gpen::server {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  int status_;
  std::string code_;
};

/// The library's error as the API reports it: InvalidArgument 400, DecodeFailed 415,
/// InvalidImage 422, Cancelled 503, OutOfMemory 507, model errors 422, the rest 500.
ApiError api_error_from(const Error& error);

/// {"error":{"code":CODE,"message":MESSAGE}} as text.
std::string error_body(const std::string& code, const std::string& message);

/// The code used for a bare HTTP status without a more specific one ("not-found", ...).
std::string status_code_name(int status);

}  // namespace gpen::server
