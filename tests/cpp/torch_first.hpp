#pragma once
// Include first in tests that use LibTorch: LibTorch pulls in glog, whose CHECK macros
// (which abort the process) would otherwise replace doctest's.

#include <torch/script.h>

#undef CHECK
#undef CHECK_EQ
#undef CHECK_NE
#undef CHECK_LT
#undef CHECK_LE
#undef CHECK_GT
#undef CHECK_GE
