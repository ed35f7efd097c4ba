#!/usr/bin/env bash
# Runs every ```sh block of docs/server.md, in order, against a gpen-server started here with a
# test model (as model.pt) and a folder of models, in a folder holding photo.jpg, more.jpg and
# album.zip. A block that fails prints FAILED; then the files the examples wrote are checked.
#   run_docs_examples.sh GPEN_SERVER DOC_MD TEST_MODELS WORK_DIR
set -uo pipefail
server_bin=$1 doc=$2 models=$3 work=$4
rm -rf "$work" && mkdir -p "$work/models" && cd "$work" || exit 1
cp "$models/random-64.pt" models/model.pt
/usr/bin/python3 - "$models/face-64.png" <<'PY'
import sys, zipfile, cv2
face = cv2.imread(sys.argv[1])
cv2.imwrite("photo.jpg", cv2.resize(face, (256, 256)))
cv2.imwrite("more.jpg", face)
with zipfile.ZipFile("album.zip", "w") as z:
    for i in range(3):
        z.write("photo.jpg", f"album/{i}.jpg")
PY
"$server_bin" --port 0 --model models/model.pt --models-dir models --jobs-dir jobs --quiet > server.out 2> server.log &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q listening server.out && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' server.out)
[ -n "$url" ] || { echo "FAILED: server did not start"; cat server.log; exit 1; }
# Each block, with the documented address replaced by this server's.
/usr/bin/python3 - "$doc" > blocks.txt <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for block in re.findall(r"```sh\n(.*?)```", text, re.S):
    print(block.replace("\\\n", " ").strip().replace("\n", "\x1e"))
PY
failed=0
n=0
while IFS= read -r block; do
  n=$((n + 1))
  block=${block//$'\x1e'/$'\n'}
  block=${block//http:\/\/127.0.0.1:7860/$url}
  echo "---- example $n"
  echo "$block"
  if ! out=$(bash -euo pipefail -c "$block" 2>&1); then
    echo "FAILED: example $n: $out"
    failed=1
  else
    echo "$out" | head -c 1500
    echo
  fi
done < blocks.txt
[ "$n" -ge 8 ] || { echo "FAILED: only $n examples found in $doc"; failed=1; }
# What the examples wrote.
/usr/bin/python3 - <<'PY' || failed=1
import zipfile, cv2
a = cv2.imread("restored.png"); b = cv2.imread("restored.jpg")
assert a is not None and a.shape[:2] == (256, 256), "restored.png"
assert b is not None and b.shape[:2] == (256, 256), "restored.jpg"
names = sorted(zipfile.ZipFile("results.zip").namelist())
assert names == ["more.png", "photo.png", "report.json"], names
print("docs examples: outputs checked")
PY
[ $failed -eq 0 ] || { echo "FAILED"; exit 1; }
echo "docs examples: all $n passed"
