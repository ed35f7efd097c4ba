#!/usr/bin/env bash
# Builds the library, its doctest suite, the C ABI test and gpen-restore with a sanitizer in a
# build tree of their own, and runs them against the test models:
#   run_sanitized.sh SOURCE_DIR BUILD_DIR TEST_MODELS SHARED_DIR asan|tsan
# asan: AddressSanitizer + UndefinedBehaviorSanitizer over the doctest suite, the C ABI suite
#       and the CLI suite (ASAN_OPTIONS=detect_leaks=0: LibTorch keeps global allocations).
# tsan: ThreadSanitizer over the batch engine, concurrent restores and the video pipeline (the
#       doctest cases that run threads). LibTorch and OpenMP are not instrumented: their internals are suppressed
#       (tests/sanitize/tsan.supp), our code is not.
# A sanitizer report fails the run (halt_on_error); prints FAILED then.
set -uo pipefail
src=$1 build=$2 models=$3 shared=$4 kind=$5
case "$kind" in
  asan) sanitize=address,undefined targets=(gpen_tests test_capi gpen-restore) ;;
  tsan) sanitize=thread targets=(gpen_tests) ;;
  *) echo "FAILED: unknown sanitizer '$kind'"; exit 1 ;;
esac
if [ ! -f "$models/random-64.pt" ]; then
  echo "SKIPPED: sanitizer run ($kind): test models missing ($models)"
  exit 0
fi
# clang builds this tree in half the time gcc takes; gcc's sanitizers otherwise.
compilers=()
if command -v clang-14 >/dev/null && command -v clang++-14 >/dev/null; then
  compilers=(-DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14)
fi
start=$(date +%s)
# -O1 -g0: the quickest build and run together (at -O0 the suites run 2.5 times longer);
# stack traces still name the functions. Only what the suites need is built.
if ! cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${compilers[@]}" \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g0" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g0" \
      -DGPEN_SANITIZE="$sanitize" -DGPEN_BUILD_PYTHON=OFF -DGPEN_BUILD_SERVER=OFF -DGPEN_BUILD_BENCH=OFF \
      -DGPEN_BUILD_EXAMPLES=OFF -DGPEN_SHARED_DIR="$shared" -DPython3_EXECUTABLE=/usr/bin/python3 \
      >"$build.configure.log" 2>&1; then
  echo "FAILED: configuring the $kind build"; tail -30 "$build.configure.log"; exit 1
fi
if ! cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}" >"$build.build.log" 2>&1; then
  echo "FAILED: building the $kind build"; grep -m 20 -A5 "error" "$build.build.log"; exit 1
fi
echo "$kind: built in $(( $(date +%s) - start )) s"

export GPEN_TEST_MODELS=$models GPEN_SHARED=$shared
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=0:detect_odr_violation=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$src/tests/sanitize/tsan.supp"
export OMP_NUM_THREADS=2
status=0
run() {  # run NAME COMMAND...: a sanitizer report or a failure fails the run
  local name=$1; shift
  local log="$build.$name.log"
  local t=$(date +%s)
  if "$@" >"$log" 2>&1 && ! grep -q -E "ERROR: (Address|Thread|UndefinedBehavior)Sanitizer|WARNING: ThreadSanitizer|runtime error:" "$log"; then
    echo "$kind: $name passed in $(( $(date +%s) - t )) s"
  else
    echo "FAILED: $kind: $name (log: $log)"
    grep -m 1 -B2 -A40 -E "Sanitizer|runtime error:|FAILED|ERROR" "$log" | head -80
    status=1
  fi
}
cd "$src" || exit 1
if [ "$kind" = asan ]; then
  # Left to the plain suite (CI time): the jitter measurement (a figure, not new code paths), and
  # two video cases whose code (optical flow, a quarter turn) is OpenCV's; the rest of the video
  # cases run here.
  run doctest "$build/bin/gpen_tests" '-tce=video: a still face*,video: detect_every 5*,video: a clip recorded sideways*'
  run capi "$build/bin/test_capi" "$models" "$build/capi-work"
  GPEN_SANITIZER=$kind run cli bash "$src/tests/cli/test_cli.sh" "$build/bin/gpen-restore" "$models" "$shared"
else
  # The cases that run threads: the batch engine's stages, cancellation, one Restorer used from
  # several threads at once, and the video pipeline's three stages (against one after another).
  run doctest "$build/bin/gpen_tests" '-tc=batch:*,cancel*,photo: one Restorer*,restorer: *thread*,video: the pipeline*'
fi
echo "$kind: done in $(( $(date +%s) - start )) s"
exit $status
