#!/usr/bin/env bash
# Restores a real photograph and a sample face into out/.
#   ./scripts/demo.sh                  no model: the classic (model-free) path on the photo, and
#                                      a small RANDOM-weight GPEN model on the face (output: noise)
#   ./scripts/demo.sh --model NAME|M.pt  a model (GPEN-BFR-512 after `build/bin/gpen models pull
#                                      GPEN-BFR-512`, a .pth, or an exported .pt) for both
set -euo pipefail
cd "$(dirname "$0")/.."
model=""
if [ "${1:-}" = "--model" ]; then model=${2:?--model needs a name or a path}; fi
if [ -z "$model" ]; then
  cat <<'MSG'
demo: for real restoration, one command fetches the published GPEN weights (after this demo has built):
        build/bin/gpen models pull GPEN-BFR-512 && ./scripts/demo.sh --model GPEN-BFR-512
      Without them (now), faces go through the classic path: it removes noise where there is noise
      and adds no detail (docs/getting-weights.md).
MSG
fi

./scripts/setup.sh
mkdir -p out models

# 1. A whole photograph: the 1927 Solvay conference portrait from ../shared when present, else
#    the astronaut portrait shipped with Debian's python3-skimage (copied at run time).
photo=../shared/data/solvay_conference_1927.png
[ -f "$photo" ] || photo=/usr/lib/python3/dist-packages/skimage/data/astronaut.png
name=$(basename "${photo%.*}")
if [ -n "$model" ]; then
  build/bin/gpen-restore --model "$model" --json out/report.json -o out "$photo"
else
  build/bin/gpen-restore --json out/report.json -o out "$photo"  # the classic path's defaults: never worse
fi
/usr/bin/python3 - "$photo" "out/$name.png" out/before-after.png <<'PY'
import sys, cv2, numpy as np
before = cv2.imread(sys.argv[1], cv2.IMREAD_COLOR)
after = cv2.imread(sys.argv[2], cv2.IMREAD_COLOR)
after = cv2.resize(after, (before.shape[1], before.shape[0]), interpolation=cv2.INTER_AREA)
gap = np.full((before.shape[0], 8, 3), 255, np.uint8)
cv2.imwrite(sys.argv[3], np.hstack([before, gap, after]))
PY

# 2. One aligned face through a GPEN model.
random=0
if [ -z "$model" ]; then
  model=models/random-256.pt
  if [ ! -f "$model" ]; then
    PYTHONPATH=python /usr/bin/python3 -m gpen.export gpen --random --seed 0 --size 256 \
      --channel-multiplier 1 --narrow 0.5 -o "$model"
  fi
  random=1
fi
/usr/bin/python3 - /usr/lib/python3/dist-packages/skimage/data/astronaut.png out/astronaut-face.png <<'PY'
import sys, cv2
img = cv2.imread(sys.argv[1])
face = img[0:205, 121:326]  # eyes on the FFHQ template's eye line
cv2.imwrite(sys.argv[2], cv2.resize(face, (512, 512), interpolation=cv2.INTER_CUBIC))
PY
build/bin/gpen-restore --model "$model" --aligned -o out/faces out/astronaut-face.png

faces=$(/usr/bin/python3 -c "import json; print(json.load(open('out/report.json'))['summary']['faces'])")
echo
echo "demo: photo         out/$name.png ($faces faces restored; report out/report.json)"
echo "demo: side by side  out/before-after.png"
echo "demo: aligned face  out/astronaut-face.png -> out/faces/astronaut-face.png"
if [ "$random" = 1 ]; then
  cat <<'MSG'

NOTE: no GPEN model was given. The photo's faces went through the classic path (noise removed
where there is noise; no detail added). The aligned face went through a RANDOM-WEIGHT GPEN
model (models/random-256.pt), so that output is noise: it shows the model path runs, not what
GPEN does. For real restoration, fetch the published weights (download, check, convert, cache)
and run the demo with them:

  build/bin/gpen models pull GPEN-BFR-512
  ./scripts/demo.sh --model GPEN-BFR-512

See docs/getting-weights.md.
MSG
fi
