#pragma once

#include "gpen/export.hpp"
// Library version, also reported by gpen::version() and `gpen-restore --version`.

#define GPEN_VERSION_MAJOR 0
#define GPEN_VERSION_MINOR 1
#define GPEN_VERSION_PATCH 0
#define GPEN_VERSION_STRING "0.1.0"

namespace gpen {

/// The library's version, "MAJOR.MINOR.PATCH".
GPEN_API const char* version();

}  // namespace gpen
