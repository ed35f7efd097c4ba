"""Whole-photo restoration with the faces cut out and pasted back on the host (OpenCV) and on the
model's device (LibTorch tensor ops), same model, same photo, same run; plus how far apart the
two results are.

    PYTHONPATH=build/python /usr/bin/python3 bench/photo_ops_benchmark.py \
        --model build/test-models/random-64.pt --photo ../shared/data/solvay_conference_1927.png \
        [--device cpu] [--repeats 5]
"""

import argparse
import sys
import time

import numpy as np

import gpen


def timed(restorer, photo, repeats):
    restorer.restore(photo)  # first call: detector, allocations
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        result = restorer.restore(photo)
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--photo", required=True)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    photo = gpen.read_image(args.photo)
    rows = []
    results = {}
    for ops in ("host", "device"):
        r = gpen.Restorer(args.model, args.device, photo_ops=ops, max_batch=8)
        seconds, results[ops] = timed(r, photo, args.repeats)
        rows.append((ops, seconds, len(results[ops].faces)))
    diff = np.abs(results["host"].image.astype(np.int16) - results["device"].image.astype(np.int16))
    print(f"photo {photo.shape[1]}x{photo.shape[0]}, model {args.model}, device {args.device}, "
          f"best of {args.repeats}")
    print()
    print("| photo_ops | s per photo | faces |")
    print("|---|---|---|")
    for ops, seconds, faces in rows:
        print(f"| {ops} | {seconds:.3f} | {faces} |")
    print()
    print(f"device vs host result: mean |diff| {diff.mean():.3f} levels, max {diff.max()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
