#!/usr/bin/env bash
# `pip install --no-build-isolation .` into a fresh venv made with --system-site-packages, then
# use the installed package (and run examples/python) from outside the source tree.
# usage: test_pip.sh SOURCE_DIR BUILD_DIR MODELS_DIR SHARED_DIR
set -u
src=$1 build=$2 models=$3 shared=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() { local name=$1; shift; if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name"; fi; }

/usr/bin/python3 -m venv --system-site-packages "$work/venv"
check "venv" test -x "$work/venv/bin/python"
# A fresh CMake build of the extension (as a user's first `pip install .` does, about a minute
# on 2 cores), in a temporary directory so the source tree stays clean.
GPEN_CMAKE_BUILD_DIR="$work/cmake-build" "$work/venv/bin/python" -m pip install --no-build-isolation --no-index -q \
  "$src" >"$work/pip.log" 2>&1
check "pip install" test $? -eq 0 || tail -30 "$work/pip.log"
cd "$work"
"$work/venv/bin/python" - "$models" <<'PY'
import os, sys
import gpen, gpen.export
assert "site-packages" in gpen.__file__, gpen.__file__
r = gpen.Restorer(os.path.join(sys.argv[1], "random-64.pt"))
import numpy as np
out = r.restore_faces([np.zeros((64, 64, 3), np.uint8)])[0]
assert out.shape == (64, 64, 3)
print("pip: gpen imported from", os.path.dirname(gpen.__file__))
PY
check "installed package works outside the source tree" test $? -eq 0
"$work/venv/bin/gpen" --model "$models/random-64.pt" --aligned -q -o "$work/cmd-out" "$models/face-64.png"
check "the gpen console command restores" test -s "$work/cmd-out/face-64.png"
photo="$shared/data/solvay_conference_1927.png"
[ -f "$photo" ] || photo="$models/face-64.png"
"$work/venv/bin/python" "$src/examples/python/notebook.py" "$photo" "$work/nb" >"$work/nb.log" 2>&1
check "examples/python/notebook.py runs" test $? -eq 0 || cat "$work/nb.log"
check "notebook wrote the side by side" test -s "$work/nb/before-after.png"
"$work/venv/bin/python" "$src/examples/python/ctypes_restore.py" "$build/lib/libgpen_c.so" "$models/random-64.pt" \
  >"$work/ct.log" 2>&1
check "examples/python/ctypes_restore.py runs" grep -q "via ctypes" "$work/ct.log"
"$work/venv/bin/python" -m pip uninstall -y -q gpen >/dev/null 2>&1
check "pip uninstall" test $? -eq 0

# With the project's own build/ already there (scripts/setup.sh made it), pip reuses it: seconds,
# and no second build directory.
if [ -f "$src/build/CMakeCache.txt" ] && [ ! -d "$src/build/pip" ]; then
  start=$(date +%s)
  "$work/venv/bin/python" -m pip install --no-build-isolation --no-index -v "$src" >"$work/pip2.log" 2>&1
  check "pip install reusing build/" test $? -eq 0 || tail -30 "$work/pip2.log"
  check "reuse announced" grep -q "reusing the CMake build in $src/build" "$work/pip2.log"
  check "no second build directory" test ! -d "$src/build/pip"
  check "reusing install under 90 s" test $(($(date +%s) - start)) -lt 90
  (cd "$work" && "$work/venv/bin/python" -c "import gpen; assert 'site-packages' in gpen.__file__")
  check "reused build's package imports" test $? -eq 0
else
  echo "SKIPPED: reuse of build/ not checked ($src/build absent, or build/pip exists already)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
