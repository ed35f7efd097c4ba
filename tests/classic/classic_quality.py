"""The classic (model-free) path must never make a photo worse: on the four FFHQ pairs of
../shared/data/ffhq-val, gpen-restore's classic output (whole-photo mode, default settings) has
PSNR and SSIM against the clean `hq` at least those of the degraded input `lq`; on a clean photo
(skimage's astronaut) it changes little (PSNR against the input >= 35 dB). Prints the table
(docs/benchmarks.md quotes it).

    classic_quality.py GPEN_RESTORE SHARED_DIR WORK_DIR
"""

import os
import subprocess
import sys

import cv2
import numpy as np


def ssim(a, b):
    from skimage.metrics import structural_similarity
    return structural_similarity(a, b, channel_axis=2, data_range=255)


def restore(exe, path, out_dir):
    run = subprocess.run([exe, "-q", "-o", out_dir, path], capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"FAILED: gpen-restore {path}: {run.stderr}")
    out = os.path.join(out_dir, os.path.splitext(os.path.basename(path))[0] + ".png")
    return cv2.imread(out, cv2.IMREAD_COLOR)


def main(exe, shared, work):
    os.makedirs(work, exist_ok=True)
    data = os.path.join(shared, "data", "ffhq-val")
    if not os.path.isdir(data):
        print(f"SKIPPED: {data} not found (the shared FFHQ pairs)")
        return 0
    failures = []
    print(f"{'pair':6} {'PSNR in':>8} {'PSNR out':>9} {'SSIM in':>8} {'SSIM out':>9}")
    for i in range(4):
        lq_path = os.path.join(data, f"lq_{i}.png")
        lq = cv2.imread(lq_path, cv2.IMREAD_COLOR)
        hq = cv2.imread(os.path.join(data, f"hq_{i}.png"), cv2.IMREAD_COLOR)
        out = restore(exe, lq_path, work)
        p_in, p_out = cv2.PSNR(lq, hq), cv2.PSNR(out, hq)
        s_in, s_out = ssim(lq, hq), ssim(out, hq)
        print(f"lq_{i}   {p_in:8.3f} {p_out:9.3f} {s_in:8.5f} {s_out:9.5f}")
        if p_out < p_in or s_out < s_in:
            failures.append(f"lq_{i}: PSNR {p_in:.2f} -> {p_out:.2f}, SSIM {s_in:.4f} -> {s_out:.4f}")
    # Where there is noise it is reduced, never added to: hq_0 with Gaussian noise (sigma 8)
    # comes out at least as close to hq_0 as it went in. (The crop is worked at the model size,
    # half this photo's face resolution, so only the coarser half of the noise can go.)
    hq = cv2.imread(os.path.join(data, "hq_0.png"), cv2.IMREAD_COLOR)
    rng = np.random.default_rng(1)
    noisy = np.clip(hq.astype(np.float32) + rng.normal(0, 8, hq.shape), 0, 255).astype(np.uint8)
    os.makedirs(os.path.join(work, "in"), exist_ok=True)
    noisy_path = os.path.join(work, "in", "noisy_0.png")
    cv2.imwrite(noisy_path, noisy)
    out = restore(exe, noisy_path, work)
    p_in, p_out = cv2.PSNR(noisy, hq), cv2.PSNR(out, hq)
    print(f"hq_0 + noise sigma 8: PSNR {p_in:.2f} -> {p_out:.2f} dB")
    if p_out < p_in:
        failures.append(f"noisy hq_0: PSNR {p_in:.2f} -> {p_out:.2f}")
    try:
        from skimage import data as samples
        clean = cv2.cvtColor(samples.astronaut(), cv2.COLOR_RGB2BGR)
        path = os.path.join(work, "in", "astronaut.png")
        cv2.imwrite(path, clean)
        out = restore(exe, path, os.path.join(work, "out"))
        p = cv2.PSNR(out, clean)
        print(f"astronaut (clean photo): PSNR vs input {p:.2f} dB")
        if p < 35.0:
            failures.append(f"astronaut: PSNR vs input {p:.2f} dB < 35")
    except ImportError:
        print("SKIPPED: skimage missing: the clean-photo check needs python3-skimage")
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
