#!/usr/bin/env bash
# Batch behaviour of gpen-restore: kill safety and resume, interruption, per-file errors, inputs
# never modified, flat memory. usage: test_batch_cli.sh GPEN_RESTORE MODELS_DIR
set -u
cli=$1 models=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() {  # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name"; fi
}
contains() { grep -q -- "$2" "$1"; }

# Inputs: N smooth 96x96 "faces" in in/, written by Python.
make_inputs() {  # make_inputs DIR COUNT SIZE
  /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import os, sys, cv2, numpy as np
d, n, s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(d, exist_ok=True)
y, x = np.mgrid[0:s, 0:s]
for i in range(n):
    img = np.stack([128 + 60 * np.sin(0.05 * x * (c + 1) + i) + 50 * np.cos(0.07 * y + c * i) for c in range(3)], -1)
    cv2.imwrite(f"{d}/img{i:04d}.png", np.clip(img, 0, 255).astype(np.uint8))
PY
}
all_complete() {  # every output in DIR decodes completely, and no temporary file is visible as an output
  /usr/bin/python3 - "$1" <<'PY'
import os, sys, cv2
d = sys.argv[1]
bad = [f for f in os.listdir(d) if not f.startswith(".") and cv2.imread(os.path.join(d, f)) is None]
sys.exit(1 if bad else 0)
PY
}

# 1. SIGKILL in the middle of a run, then --skip-existing completes the set.
make_inputs "$work/in" 60 256
hash_before=$(cat "$work"/in/* | sha256sum)
"$cli" --model "$models/random-64.pt" --aligned --threads 1 --readers 1 --writers 1 --batch-size 1 -q \
  -o "$work/out" "$work/in" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  n=$(find "$work/out" -maxdepth 1 -name '*.png' 2>/dev/null | wc -l)
  [ "$n" -ge 5 ] && break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
partial=$(find "$work/out" -maxdepth 1 -name '*.png' | wc -l)
echo "batch-cli: killed after $partial of 60 outputs"
check "killed mid-run" test "$partial" -lt 60
check "no partial output after SIGKILL" all_complete "$work/out"
"$cli" --model "$models/random-64.pt" --aligned --skip-existing -q --json "$work/resume.json" \
  -o "$work/out" "$work/in" >/dev/null 2>&1
check "resume exit 0" test $? -eq 0
check "resume completes the set" test "$(find "$work/out" -maxdepth 1 -name '*.png' | wc -l)" -eq 60
check "no temporary files left" test "$(find "$work/out" -name '.*' | wc -l)" -eq 0
/usr/bin/python3 - "$work/resume.json" "$partial" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
sys.exit(0 if s["skipped"] >= int(sys.argv[2]) and s["skipped"] + s["restored"] == 60 else 1)
PY
check "resume skipped what was done" test $? -eq 0
check "inputs never modified" test "$hash_before" = "$(cat "$work"/in/* | sha256sum)"

# 2. SIGINT: files in flight are finished, exit 130, nothing partial.
"$cli" --model "$models/random-64.pt" --aligned --threads 1 --readers 1 --batch-size 1 -q \
  -o "$work/int" "$work/in" >/dev/null 2>"$work/int.log" &
pid=$!
for _ in $(seq 1 200); do
  [ "$(find "$work/int" -maxdepth 1 -name '*.png' 2>/dev/null | wc -l)" -ge 3 ] && break
  sleep 0.05
done
kill -INT "$pid"
wait "$pid"
code=$?
if [ "$(find "$work/int" -maxdepth 1 -name '*.png' | wc -l)" -lt 60 ]; then
  check "SIGINT exit 130" test "$code" -eq 130
  check "SIGINT summary" contains "$work/int.log" "interrupted"
else
  echo "batch-cli: the run finished before SIGINT arrived; exit status not checked"
fi
check "no partial output after SIGINT" all_complete "$work/int"

# 3. A directory with corrupt, empty and non-image files among good ones.
mkdir -p "$work/mixed"
cp "$work"/in/img000[0-4].png "$work/mixed/"
: >"$work/mixed/empty.jpg"
echo "not an image" >"$work/mixed/notes.png"
head -c 300 "$work/in/img0005.png" >"$work/mixed/cut.png"
echo "ignored: not an image extension" >"$work/mixed/readme.txt"
"$cli" --model "$models/random-64.pt" --aligned -q --json "$work/mixed.json" -o "$work/mixed-out" \
  "$work/mixed" >"$work/mixed.log" 2>&1
check "partial failure exit 1" test $? -eq 1
/usr/bin/python3 - "$work/mixed.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
by = {img["input"].rsplit("/", 1)[1]: img for img in r["images"]}
assert r["summary"]["restored"] == 5 and r["summary"]["failed"] == 3, r["summary"]
assert "file is empty" in by["empty.jpg"]["error"]
assert "not an image" in by["notes.png"]["error"]
assert by["cut.png"]["status"] == "failed"
assert "readme.txt" not in by
for name, img in by.items():
    assert set(img["seconds"]) == {"read", "compute", "write"}
PY
check "report lists each failure with its reason" test $? -eq 0
check "failures named on stderr" contains "$work/mixed.log" "empty.jpg: file is empty"

# 4. Peak memory does not grow with the number of files (50 vs 500).
make_inputs "$work/many" 500 48
mkdir -p "$work/fifty"
cp "$work"/many/img00[0-4]?.png "$work/fifty/"
rss() {  # rss DIR OUT -> peak RSS in kB
  /usr/bin/time -f "%M" -o "$work/rss" "$cli" --model "$models/random-64.pt" --aligned -q -o "$2" "$1" \
    >/dev/null 2>&1
  tail -n 1 "$work/rss"
}
r50=$(rss "$work/fifty" "$work/o50")
r500=$(rss "$work/many" "$work/o500")
echo "batch-cli: peak RSS 50 files $((r50 / 1024)) MiB, 500 files $((r500 / 1024)) MiB"
check "peak RSS for 500 files within 10% of 50 files" \
  /usr/bin/python3 -c "import sys; a, b = int(sys.argv[1]), int(sys.argv[2]); sys.exit(0 if abs(b - a) < 0.1 * a else 1)" "$r50" "$r500"
check "500 outputs" test "$(find "$work/o500" -name '*.png' | wc -l)" -eq 500

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
