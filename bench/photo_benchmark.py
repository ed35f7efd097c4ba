"""A whole 12 MP one-face phone photo end to end (decode -> detect -> restore 512 -> paste ->
encode) in a warm process, with the per-stage split, and the face count on Solvay and the FFHQ
selfies at the same detection settings.

    /usr/bin/python3 bench/photo_benchmark.py [--threads 2] [--iters 3] [--shared ../shared]

Needs a Release build (build/bin/gpen-bench, build/bin/gpen-restore). The photo is made here:
FFHQ hq_0 enlarged to a 1600-px face on a 4032x3024 background, saved as JPEG quality 92.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from gpen import export  # noqa: E402


def phone_photo(shared: str, path: str) -> None:
    face = cv2.imread(os.path.join(shared, "data", "ffhq-val", "hq_0.png"))
    rng = np.random.default_rng(0)
    photo = cv2.resize((rng.random((24, 32, 3)) * 255).astype(np.uint8), (4032, 3024), interpolation=cv2.INTER_CUBIC)
    photo[700:2300, 1200:2800] = cv2.resize(face, (1600, 1600), interpolation=cv2.INTER_CUBIC)
    cv2.imwrite(path, photo, [cv2.IMWRITE_JPEG_QUALITY, 92])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    args = ap.parse_args()
    bench = os.path.join(ROOT, "build", "bin", "gpen-bench")
    restore = os.path.join(ROOT, "build", "bin", "gpen-restore")
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "gpen512.pt")
        export.export_model(export.build_reference(512, 2, 1.0, seed=0), model, {"random_weights": True, "seed": 0})
        photo = os.path.join(tmp, "phone12mp.jpg")
        phone_photo(args.shared, photo)
        print("| detection copy capped at | decode s | detect s | restore s (detect + face + paste) | "
              "face model s | encode s | end to end s |")
        print("|---|---|---|---|---|---|---|")
        for max_side in (6000, 2048):
            out = subprocess.run([bench, "--model", model, "--threads", str(args.threads), "--photo", photo,
                                  "--detection-max-side", str(max_side), "--iters", str(args.iters),
                                  "--warmup", "2"], capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"| long side {max_side} and 7 MP | {r['decode_s']:.2f} | {r['detect_s']:.2f} | {r['restore_s']:.2f} | "
                  f"{r['face_model_s']:.2f} | {r['encode_s']:.2f} | **{r['end_to_end_s']:.2f}** |")
        photos = [os.path.join(args.shared, "data", "solvay_conference_1927.png")] + [
            os.path.join(args.shared, "data", "ffhq-val", f"{k}_{i}.png") for k in ("hq", "lq") for i in range(4)]
        report = os.path.join(tmp, "report.json")
        subprocess.run([restore, *photos, "-o", os.path.join(tmp, "out"), "--model",
                        os.path.join(ROOT, "build", "test-models", "random-64.pt"), "--json", report, "-q"], check=True)
        with open(report) as f:
            counts = {os.path.basename(i["input"]): i["face_count"] for i in json.load(f)["images"]}
        print()
        print("faces found at the defaults:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
