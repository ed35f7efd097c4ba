#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite through ctest; then prints what
# was skipped (each skip says why) and how many.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cd build
rc=0
ctest --output-on-failure --timeout 1500 "$@" || rc=$?
log=Testing/Temporary/LastTest.log
if [ -f "$log" ]; then
  skips=$(grep -o 'SKIPPED[^"]*' "$log" | sed 's/[[:space:]]*$//' | sort | uniq -c | sort -rn || true)
  count=$(grep -o 'SKIPPED' "$log" | wc -l || true)  # no skip at all: grep fails the pipe
  echo
  echo "Skipped checks: $count"
  [ -n "$skips" ] && echo "$skips"
fi
exit $rc
