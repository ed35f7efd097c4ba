"""Golden outputs: runs gpen-restore on the Solvay photo, the FFHQ pairs and the test face with a
set of parameters and compares a SHA-256 of each output's decoded pixels with tests/golden/hashes.json.

    golden.py GPEN_RESTORE TEST_MODELS SHARED_DIR            # compare (the ctest `golden`)
    golden.py GPEN_RESTORE TEST_MODELS SHARED_DIR --write    # record for this machine's key

A refactoring must leave every output byte-identical. Floating-point kernels (oneDNN, OpenCV's
SIMD paths) differ between CPU families, so hashes are recorded per machine key (CPU vendor,
widest vector ISA and a digest of all CPU flags); on a machine whose key has no record the test
says SKIPPED and why.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

import cv2

HERE = os.path.dirname(os.path.abspath(__file__))
HASHES = os.path.join(HERE, "hashes.json")


def machine_key() -> str:
    vendor, flags = "unknown", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("vendor_id") and vendor == "unknown":
                vendor = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    isa = ("amx" if "amx_tile" in flags else "avx512bf16" if "avx512_bf16" in flags else
           "avx512" if "avx512f" in flags else "avx2" if "avx2" in flags else "sse")
    # Every CPU flag counts (kernels are picked by them): another machine type gets its own key.
    digest = hashlib.sha256(" ".join(sorted(flags)).encode()).hexdigest()[:8]
    return f"{vendor}-{isa}-{digest}"


def cases(models: str, shared: str):
    solvay = os.path.join(shared, "data", "solvay_conference_1927.png")
    ffhq = os.path.join(shared, "data", "ffhq-val")
    face = os.path.join(models, "face-64.png")
    model = os.path.join(models, "random-64.pt")
    yield "classic-solvay", [solvay], []
    yield "classic-solvay-strong-denoise-sharpen", [solvay], ["--mode", "strong", "--denoise", "30", "--sharpen", "40"]
    yield "classic-ffhq-old-photo-upscale2", [os.path.join(ffhq, "lq_0.png")], ["--preset", "old-photo", "--upscale", "2"]
    yield "model-solvay", [solvay], ["--model", model]
    yield "model-solvay-detail-strength60", [solvay], ["--model", model, "--mode", "detail", "--strength", "60"]
    yield "model-solvay-strong-max3", [solvay], ["--model", model, "--mode", "strong", "--max-faces", "3"]
    yield "model-ffhq-center-upscale2", [os.path.join(ffhq, "lq_1.png")], ["--model", model, "--only-center-face", "--upscale", "2"]
    yield "model-aligned-face", [face], ["--model", model, "--aligned"]
    yield "model-batch-ffhq", [ffhq], ["--model", model, "--batch-size", "3"]


def pixel_hash(path: str) -> str:
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img is None:
        raise SystemExit(f"golden: cannot read output {path}")
    h = hashlib.sha256(repr((img.shape, str(img.dtype))).encode())
    h.update(img.tobytes())
    return h.hexdigest()[:32]


def run_all(exe: str, models: str, shared: str) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, inputs, flags in cases(models, shared):
            out = os.path.join(tmp, name)
            cmd = [exe, "-q", "--threads", "2", "-o", out] + flags + inputs
            run = subprocess.run(cmd, capture_output=True, text=True)
            if run.returncode != 0:
                raise SystemExit(f"golden: {name}: exit {run.returncode}: {run.stderr.strip()[-300:]}")
            for root, _, files in os.walk(out):
                for f in sorted(files):
                    rel = os.path.relpath(os.path.join(root, f), out)
                    results[f"{name}/{rel}"] = pixel_hash(os.path.join(root, f))
    return results


def main() -> int:
    exe, models, shared = sys.argv[1:4]
    write = "--write" in sys.argv[4:]
    if not os.path.isfile(os.path.join(shared, "data", "solvay_conference_1927.png")):
        print(f"SKIPPED: golden outputs need {shared}/data (the shared fixtures are absent)")
        return 0
    key = machine_key()
    recorded = {}
    if os.path.isfile(HASHES):
        with open(HASHES) as f:
            recorded = json.load(f)
    results = run_all(exe, models, shared)
    if write:
        recorded[key] = results
        with open(HASHES, "w") as f:
            json.dump(recorded, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"golden: recorded {len(results)} outputs for {key}")
        return 0
    if key not in recorded:
        print(f"SKIPPED: no golden hashes recorded for this machine ({key}; recorded: "
              f"{', '.join(sorted(recorded)) or 'none'}); {len(results)} outputs produced")
        return 0
    expected = recorded[key]
    bad = [n for n in sorted(set(expected) | set(results)) if expected.get(n) != results.get(n)]
    for n in bad:
        print(f"golden: {n}: expected {expected.get(n)}, got {results.get(n)}")
    if bad:
        print(f"golden: FAILED: {len(bad)} of {len(expected)} outputs differ ({key})")
        return 1
    print(f"golden: {len(results)} outputs byte-identical to the record ({key})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
