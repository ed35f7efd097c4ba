"""A 27-megapixel photo through all three networks (face model, background upsampler, parser) with
tiles: output = input x the upsampler's scale, memory bounded by the tiles, not by the photo."""

import os
import subprocess
import sys

import pytest

MODELS = os.environ.get("GPEN_TEST_MODELS", "build/test-models")

# Runs in a fresh process so that its peak RSS is this restore's alone.
SCRIPT = r"""
import resource, sys, time
import numpy as np
import gpen
models, tile = sys.argv[1], int(sys.argv[2])
h, w = 4500, 6000
photo = np.empty((h, w, 3), np.uint8)  # made in bands: the test measures the restore, not numpy
xs = np.arange(w, dtype=np.float32)
for top in range(0, h, 500):
    ys = np.arange(top, min(h, top + 500), dtype=np.float32)[:, None]
    for c in range(3):
        photo[top:top + len(ys), :, c] = (128 + 100 * np.sin(xs / (37 + 11 * c)) * np.cos(ys / 53)).astype(np.uint8)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
r = gpen.Restorer(models + "/random-64.pt", bg_upsampler=models + "/sr-tiny-x2.pt", bg_tile=tile,
                  parser=models + "/parsenet-random.pt", detection_max_side=2000, threads=2)
start = time.perf_counter()
out = r.restore(photo, min_face_size=64)
seconds = time.perf_counter() - start
assert out.image.shape == (2 * h, 2 * w, 3), out.image.shape
print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, round(seconds, 1))
"""


def test_27_megapixel_photo_with_tiles_stays_within_memory():
    for name in ("random-64.pt", "sr-tiny-x2.pt", "parsenet-random.pt"):
        if not os.path.isfile(os.path.join(MODELS, name)):
            pytest.skip(f"SKIPPED: {name} missing (models.generate)")
    r = subprocess.run([sys.executable, "-c", SCRIPT, MODELS, "512"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    before_mib, peak_mib, seconds = (float(v) for v in r.stdout.split())
    print(f"27 MP photo, x2 upsampler, tiles of 512: peak RSS {peak_mib:.0f} MiB ({before_mib:.0f} MiB before the "
          f"restore: Python, torch, the photo), {seconds} s")
    # What the restore adds is the photo's copies at 1x and 2x (the 2x canvas alone is 309 MiB,
    # the result handed to Python another 309 MiB) and tile-sized model memory; untiled, the
    # upsampler's features at the output size would take gigabytes (4 channels x 108 MP x 4 bytes
    # = 1.7 GiB per feature map).
    assert peak_mib - before_mib < 1400
