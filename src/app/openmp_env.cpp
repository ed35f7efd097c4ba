#include "app/openmp_env.hpp"

#include <unistd.h>

#include <cstdlib>

namespace gpen::app {

void ensure_passive_openmp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // execv failed (no /proc?): carry on with the default policy.
}

}  // namespace gpen::app
