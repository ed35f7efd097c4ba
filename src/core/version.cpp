#include "gpen/version.hpp"

namespace gpen {

const char* version() { return GPEN_VERSION_STRING; }

}  // namespace gpen
