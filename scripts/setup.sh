#!/usr/bin/env bash
# Installs the Debian packages gpen needs (only those missing), then configures and builds
# the project in build/ (Release). Used by demo.sh and test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev python3-torch          # LibTorch 1.13 (CPU) and the matching PyTorch
  libopencv-dev python3-opencv        # image I/O and processing
  pybind11-dev libeigen3-dev doctest-dev
  nlohmann-json3-dev                  # JSON (reports; the server API)
  libcpp-httplib-dev libzip-dev       # gpen-server: HTTP, zip uploads and results
  chromium                            # the web UI's browser test (driven by playwright-core)
  clang-14 libclang-rt-14-dev         # libFuzzer + sanitizers (the fuzz test)
  libdlib-dev libdlib-data            # face detector + 68-point landmark model
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev  # videos (FFmpeg's libraries)
  ffmpeg                              # the video tests make their clips and check them with ffprobe
  python3-numpy python3-setuptools python3-venv python3-pytest python3-wheel python3-pip
  python3-pil                         # PIL images in the Python API tests
  python3-requests                    # HTTP client of the server tests
  python3-distributed                 # gpen.distributed: Dask (its tests start a LocalCluster on loopback)
  python3-skimage                     # sample photographs for the demo
  time                                # /usr/bin/time: peak memory in the CLI tests
)
missing=()
for p in "${packages[@]}"; do
  [[ $p == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

generator=()
command -v ninja >/dev/null && [ ! -f build/CMakeCache.txt ] && generator=(-G Ninja)
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build build --parallel "$(nproc)"

# The browser test's driver (playwright-core, pinned in tests/browser/package-lock.json).
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  if ! command -v npm >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null || true
  fi
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) ||
    echo "setup: npm ci failed: the browser test will say SKIPPED"
fi
