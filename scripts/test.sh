#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cd build
ctest --output-on-failure --timeout 1500 "$@"
