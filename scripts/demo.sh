#!/usr/bin/env bash
# Restores a sample face into out/.
#   ./scripts/demo.sh                  uses a small RANDOM-weight model (output is noise)
#   ./scripts/demo.sh --model M.pt     uses your exported model (see docs/getting-weights.md)
set -euo pipefail
cd "$(dirname "$0")/.."
model=""
if [ "${1:-}" = "--model" ]; then model=${2:?--model needs a path}; fi

./scripts/setup.sh
mkdir -p out models

if [ -z "$model" ]; then
  model=models/random-256.pt
  if [ ! -f "$model" ]; then
    PYTHONPATH=python /usr/bin/python3 -m gpen.export gpen --random --seed 0 --size 256 \
      --channel-multiplier 1 --narrow 0.5 -o "$model"
  fi
  random=1
else
  random=0
fi

# The sample: the astronaut portrait shipped with Debian's python3-skimage, cropped to an
# FFHQ-style aligned face (eyes on the template's eye line). Copied at run time, never committed.
sample=/usr/lib/python3/dist-packages/skimage/data/astronaut.png
/usr/bin/python3 - "$sample" out/astronaut-face.png <<'PY'
import sys, cv2
img = cv2.imread(sys.argv[1])
face = img[0:205, 121:326]
cv2.imwrite(sys.argv[2], cv2.resize(face, (512, 512), interpolation=cv2.INTER_CUBIC))
PY

build/bin/gpen-restore --model "$model" --aligned -o out/restored out/astronaut-face.png

/usr/bin/python3 - out/astronaut-face.png out/restored/astronaut-face.png out/before-after.png <<'PY'
import sys, cv2, numpy as np
before, after = cv2.imread(sys.argv[1]), cv2.imread(sys.argv[2])
after = cv2.resize(after, (before.shape[1], before.shape[0]), interpolation=cv2.INTER_CUBIC)
cv2.imwrite(sys.argv[3], np.hstack([before, after]))
PY

echo
echo "demo: input face    out/astronaut-face.png"
echo "demo: restored face out/restored/astronaut-face.png"
echo "demo: side by side  out/before-after.png"
if [ "$random" = 1 ]; then
  cat <<'MSG'

NOTE: this used a RANDOM-WEIGHT model (models/random-256.pt), so the "restored" face
is noise: the demo shows that the pipeline runs, not what GPEN does. For real restoration,
download a published checkpoint (e.g. GPEN-BFR-512.pth from the GPEN authors' release),
convert it, and run the demo with it:

  PYTHONPATH=python /usr/bin/python3 -m gpen.export gpen --checkpoint GPEN-BFR-512.pth \
      --size 512 --channel-multiplier 2 --narrow 1 -o models/GPEN-BFR-512.pt
  ./scripts/demo.sh --model models/GPEN-BFR-512.pt

See docs/getting-weights.md.
MSG
fi
