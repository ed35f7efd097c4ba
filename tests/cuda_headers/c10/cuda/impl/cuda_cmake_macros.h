#pragma once
// Stand-in for the header that a CUDA build of LibTorch generates (Debian's CPU-only LibTorch
// ships c10/cuda headers without it). Used only by the cuda.compile check in tests/.
#define C10_CUDA_BUILD_SHARED_LIBS
