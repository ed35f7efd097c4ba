#!/usr/bin/env bash
# Packs OpenCV (core/imgproc/imgcodecs), dlib, Eigen and doctest from this Debian machine into
# .gpu-bundle/gpen-gpu-deps.tar.xz for bench/gpu/check.sh part 2 (see make_bundle.py, docs/gpu.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 bench/gpu/make_bundle.py "$@"
