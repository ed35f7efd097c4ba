#pragma once
// GPEN_API marks what libgpen.so exports: the public classes and functions of include/gpen.
// Everything else is built with hidden visibility (tests/install/check_exports.sh enforces it).

#if defined(__GNUC__) || defined(__clang__)
#define GPEN_API __attribute__((visibility("default")))
#else
#define GPEN_API
#endif
