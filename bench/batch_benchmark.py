"""The batch engine against a plain serial loop over the same 120 photos, same process, same
threads. Prints a Markdown table for docs/benchmarks.md.

    /usr/bin/python3 bench/batch_benchmark.py [--size 128] [--threads 2] [--files 120]

Photos: 960x640 JPEG crops (2x upscaled) of the 1927 Solvay photograph from ../shared (about six
faces each), or, without ../shared, of Debian's skimage astronaut portrait. Model: a random-weight
GPEN of --size (the 'small test model'; 128 px, channel multiplier 1, narrow 0.5 by default).
Needs a Release build (build/bin/gpen-bench-batch).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

from gpen import export  # noqa: E402


def make_photos(directory: str, count: int) -> str:
    source = os.path.join(ROOT, "..", "shared", "data", "solvay_conference_1927.png")
    if not os.path.isfile(source):
        source = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"
    img = cv2.imread(source)
    h, w = img.shape[:2]
    cw, ch = min(480, w), min(320, h)
    rng = np.random.default_rng(0)
    os.makedirs(directory, exist_ok=True)
    for i in range(count):
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        crop = cv2.resize(img[y:y + ch, x:x + cw], (cw * 2, ch * 2), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(os.path.join(directory, f"p{i:03d}.jpg"), crop, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return os.path.basename(source)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--files", type=int, default=120)
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bin", "gpen-bench-batch"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = make_photos(os.path.join(tmp, "in"), args.files)
        model = os.path.join(tmp, "model.pt")
        ref = export.build_reference(args.size, 1, 0.5, seed=0)
        export.export_model(ref, model, {"random_weights": True, "seed": 0})
        # As gpen-restore does: OpenMP threads sleep when idle instead of spinning, which
        # leaves the cores to the reader and writer threads (see docs/benchmarks.md).
        env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"))
        out = subprocess.run([args.bench, "--model", model, "--inputs", os.path.join(tmp, "in"),
                              "--out", os.path.join(tmp, "out"), "--threads", str(args.threads)],
                             check=True, capture_output=True, text=True, env=env).stdout
    r = json.loads(out.strip().splitlines()[-1])
    print(f"{r['files']} photos ({source} crops, {r['faces']} faces), random GPEN-{args.size} "
          f"(channel multiplier 1, narrow 0.5), {args.threads} threads, batch size 4, "
          f"OMP_WAIT_POLICY={env['OMP_WAIT_POLICY']}")
    print()
    print("| | wall s | photos / s | speed-up | compute busy |")
    print("|---|---|---|---|---|")
    print(f"| serial loop (read → restore → write) | {r['serial_s']:.1f} | {r['files'] / r['serial_s']:.2f} "
          f"| 1.0x | |")
    print(f"| batch engine (2 readers, 1 compute, 2 writers) | {r['engine_s']:.1f} | "
          f"{r['files'] / r['engine_s']:.2f} | **{r['speedup']:.2f}x** | **{100 * r['compute_busy_fraction']:.1f}%** |")
    print()
    print(f"serial loop split: read {r['serial_read_s']:.1f} s, restore {r['serial_compute_s']:.1f} s, "
          f"write {r['serial_write_s']:.1f} s; engine: {r['model_calls']} model calls, "
          f"{r['engine_faces']} faces, {r['failed']} failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
