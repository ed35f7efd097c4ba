#pragma once
// Base64 (RFC 4648, with padding) for images inside JSON responses.

#include <cstddef>
#include <string>

namespace gpen::server {

std::string base64_encode(const unsigned char* data, std::size_t size);

}  // namespace gpen::server
