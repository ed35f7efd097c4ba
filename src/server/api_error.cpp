#include "server/api_error.hpp"

#include <nlohmann/json.hpp>

namespace gpen::server {

ApiError api_error_from(const Error& error) {
  int status = 500;
  switch (error.code()) {
    case ErrorCode::InvalidArgument: status = 400; break;
    case ErrorCode::FileNotFound: status = 404; break;
    case ErrorCode::DecodeFailed: status = 415; break;
    case ErrorCode::InvalidImage:
    case ErrorCode::InvalidModel:
    case ErrorCode::UnsupportedModel: status = 422; break;
    case ErrorCode::Cancelled: status = 503; break;
    case ErrorCode::OutOfMemory: status = 507; break;
    default: status = 500; break;
  }
  return ApiError(status, error_code_name(error.code()), error.what());
}

std::string error_body(const std::string& code, const std::string& message) {
  const nlohmann::ordered_json body = {{"error", {{"code", code}, {"message", message}}}};
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string status_code_name(int status) {
  switch (status) {
    case 400: return "bad-request";
    case 401: return "unauthorized";
    case 404: return "not-found";
    case 405: return "method-not-allowed";
    case 409: return "conflict";
    case 413: return "too-large";
    case 415: return "unsupported-media-type";
    case 422: return "unprocessable";
    case 503: return "busy";
    default: return status >= 500 ? "internal" : "error";
  }
}

}  // namespace gpen::server
