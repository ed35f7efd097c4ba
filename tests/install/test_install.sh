#!/usr/bin/env bash
# cmake --install into a temporary prefix, then build examples/cpp as a separate CMake project
# with find_package(gpen), and examples/c with pkg-config; run both.
# usage: test_install.sh BUILD_DIR SOURCE_DIR MODELS_DIR
set -u
build=$1 src=$2 models=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() { local name=$1; shift; if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name"; fi; }

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1
check "cmake --install" test $? -eq 0
check "headers installed" test -f "$work/prefix/include/gpen/gpen.hpp" -a -f "$work/prefix/include/gpen_c.h"
check "config installed" test -f "$work/prefix/lib/cmake/gpen/gpenConfig.cmake" -a \
  -f "$work/prefix/lib/cmake/gpen/gpenConfigVersion.cmake"
check "pkg-config file installed" test -f "$work/prefix/lib/pkgconfig/gpen.pc"
check "CLI installed and runs" "$work/prefix/bin/gpen-restore" --version
check "server installed and runs" "$work/prefix/bin/gpen-server" --version

cmake -S "$src/examples/cpp" -B "$work/cpp" -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/cpp.log" 2>&1 &&
  cmake --build "$work/cpp" >>"$work/cpp.log" 2>&1
check "examples/cpp builds with find_package(gpen)" test $? -eq 0 || cat "$work/cpp.log"
"$work/cpp/restore_face" "$models/random-64.pt" "$models/face-64.png" "$work/out.png" >"$work/cpp-run.log" 2>&1
check "examples/cpp runs" test $? -eq 0 -a -s "$work/out.png"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
check "pkg-config knows gpen" pkg-config --exists gpen
cc -std=c99 -Wall -o "$work/restore_files" "$src/examples/c/restore_files.c" $(pkg-config --cflags --libs gpen) \
  >"$work/c.log" 2>&1
check "examples/c builds with pkg-config" test $? -eq 0 || cat "$work/c.log"
LD_LIBRARY_PATH="$work/prefix/lib" "$work/restore_files" - "$work/c-out" "$models/face-64.png" >"$work/c-run.log" 2>&1
check "examples/c runs (classic path)" test $? -eq 0
check "examples/c output" grep -q "restored 1 files" "$work/c-run.log"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
