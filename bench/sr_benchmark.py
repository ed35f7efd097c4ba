"""Background super-resolution on the CPU: a realesrnet_x2-shaped RRDBNet (32 features, 23 blocks,
random weights) through the library (gpen.Restorer with bg_upsampler, whole and tiled) vs the
eager PyTorch module in the reference formulation, same threads, same run, same photo.

    PYTHONPATH=build/python /usr/bin/python3 bench/sr_benchmark.py [--size 384] [--threads 2]

Needs the built extension (build/python). Prints a Markdown table for docs/benchmarks.md.
"""

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.append(os.path.join(ROOT, "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import gpen  # noqa: E402
from gpen import export, rrdbnet  # noqa: E402


def best_of(runs: int, f) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=384, help="photo side in pixels (square)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = rrdbnet.randomize_(rrdbnet.RRDBNet(2, 32, 23, 32), 0).eval()
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 256, (args.size, args.size, 3), dtype=np.uint8)
    megapixels = args.size * args.size / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sr.pt")
        export.export_realesrnet(model, path, {"random_weights": True, "seed": 0})
        x = torch.from_numpy(photo[:, :, ::-1].copy()).permute(2, 0, 1).unsqueeze(0).float() / 255

        def reference():
            with torch.no_grad():
                model(x)

        rows = [("reference formulation (eager PyTorch, whole photo)", best_of(args.runs, reference))]
        for tile, label in ((0, "library, whole photo (bg_tile 0)"), (192, "library, tiles of 192 (pad 10)"),
                            (128, "library, tiles of 128 (pad 10)")):
            r = gpen.Restorer(bg_upsampler=path, bg_tile=tile, threads=args.threads)
            out = r.restore(photo)
            assert out.image.shape == (args.size * 2, args.size * 2, 3)
            rows.append((label, best_of(args.runs, lambda: r.restore(photo))))
    print(f"photo {args.size}x{args.size} ({megapixels:.3f} MP), {args.threads} threads, best of {args.runs}\n")
    print("| | s / photo | s / input megapixel | vs reference |")
    print("|---|---|---|---|")
    ref = rows[0][1]
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} | {seconds / megapixels:.1f} | {ref / seconds:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
