"""The web UI in a real browser (Debian's chromium driven by playwright-core, pinned in
tests/browser/package-lock.json): tests/browser/ui_test.mjs does the clicking, this checks
what it saw and downloaded."""

import json
import os
import shutil
import subprocess

import cv2
import pytest

from conftest import Server, decode, face_image, model, solvay_part

HERE = os.path.dirname(os.path.abspath(__file__))
BROWSER_DIR = os.path.join(os.path.dirname(HERE), "browser")


def test_web_ui(tmp_path):
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not shutil.which("node") or not os.path.exists(chromium):
        pytest.skip("SKIPPED: node or chromium missing (scripts/setup.sh installs chromium)")
    if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
        pytest.skip("SKIPPED: playwright-core not installed (tests/browser/run.sh runs npm ci)")
    out = os.path.abspath(os.environ.get("GPEN_SCREENSHOTS", str(tmp_path)))
    os.makedirs(out, exist_ok=True)
    photo = tmp_path / "family.jpg"
    image = solvay_part(800)
    cv2.imwrite(str(photo), image)
    good2 = tmp_path / "portrait.png"
    cv2.imwrite(str(good2), face_image())
    bad = tmp_path / "damaged.jpg"
    bad.write_bytes(photo.read_bytes()[:3000])  # cut short

    server = Server(tmp_path / "jobs", "--model", model("random-64.pt"), "--models-dir", os.path.dirname(model("random-64.pt")))
    try:
        run = subprocess.run(["node", os.path.join(BROWSER_DIR, "ui_test.mjs"), server.url + "/", str(photo),
                              str(good2), str(bad), out], capture_output=True, text=True, timeout=300,
                             cwd=BROWSER_DIR)
    finally:
        assert server.stop() == 0
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    s = json.loads(run.stdout.strip().splitlines()[-1])
    print(json.dumps(s, indent=1)[:3000])
    assert s["console_errors"] == []
    assert s["unlabelled"] == []
    assert {"strength", "mode", "denoise", "sharpen", "upscale"} <= set(s["controls"])
    # Restore: the slider's value went to the server; the download decodes at the input's size.
    assert s["slider_strength"] == 40
    assert s["restore_status"].startswith("Restored"), s["restore_status"]
    assert s["faces_outlined"] >= 3
    restored = decode(open(s["download"], "rb").read())
    assert restored.shape == image.shape
    # Batch: the bar reached the end; the damaged file is listed with its reason.
    assert s["batch_status"].startswith("done: 3 of 3 files, 1 failed"), s["batch_status"]
    assert s["progress"] == [3, 3]
    rows = {r[0]: r for r in s["batch_rows"]}
    assert rows["damaged.jpg"][1] == "failed" and "damaged.jpg" in rows["damaged.jpg"][2]
    assert rows["family.jpg"][1] == "done" and rows["portrait.png"][1] == "done"
    assert s["batch_zip_link"].endswith("/result.zip")
    # Models: the list and the memory figures.
    assert "random-64.pt" in s["models"] and "classic" in s["models"]
    assert "Server process (RSS)" in s["memory"]
    assert s["phone_overflow"] <= 0
    for name in ("ui-restore.png", "ui-batch.png", "ui-models.png", "ui-phone.png"):
        assert os.path.getsize(os.path.join(out, name)) > 10000
