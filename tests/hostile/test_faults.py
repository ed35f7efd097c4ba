"""Faults from the machine, not the input: the disk filling up during a batch, and memory running
out. A file that cannot be written is reported failed with the OS's reason, nothing partial or
temporary is left, the run goes on with the next file; out of memory is a clear error, not a
crash."""

import os
import resource
import subprocess
import json

import numpy as np
import pytest
from PIL import Image

from conftest import CLI, MODELS, need


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB tmpfs (root only; skipped with the reason elsewhere)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("SKIPPED: disk-full test needs root to mount a small tmpfs")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"SKIPPED: cannot mount a tmpfs here: {p.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def noisy_png(path, size, seed):
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8)).save(path)


def test_disk_full_during_a_batch(tmp_path, small_disk):
    need(CLI, "gpen-restore")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(6):  # ~110 KiB each as PNG: the third does not fit
        noisy_png(inputs / f"p{i}.png", 190, i)
    report = tmp_path / "report.json"
    p = subprocess.run([CLI, "-q", "--json", str(report), str(inputs), "-o", str(small_disk)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 1, (p.returncode, p.stderr[-2000:])
    files = json.loads(report.read_text())["images"]
    restored = [f for f in files if f["status"] == "restored"]
    failed = [f for f in files if f["status"] == "failed"]
    assert restored and failed and len(restored) + len(failed) == 6, files
    for f in failed:
        assert "No space left on device" in f["error"], f
        assert not os.path.exists(f["output"])
    for f in restored:  # what was written is whole
        with Image.open(f["output"]) as im:
            im.load()
            assert im.size == (190, 190)
    assert [n for n in os.listdir(small_disk) if n.startswith(".")] == []


def test_out_of_memory_is_an_error_not_a_crash(tmp_path):
    """Under an address-space limit, a photo too large for the memory left fails with a message
    (the run goes on: the small photo after it is restored)."""
    need(CLI, "gpen-restore")
    big = tmp_path / "big.png"
    Image.new("RGB", (12000, 12000), (90, 120, 150)).save(big)  # 432 MB decoded, 1.5 MB on disk
    small = tmp_path / "small.png"
    noisy_png(small, 64, 1)
    limit = 1400 << 20

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    report = tmp_path / "report.json"
    p = subprocess.run([CLI, "-q", "--json", str(report), "--threads", "1", str(big), str(small),
                        "-o", str(tmp_path / "out")], capture_output=True, text=True, timeout=300, preexec_fn=cap)
    assert p.returncode in (1, 2), (p.returncode, p.stderr[-2000:])  # never a signal
    if p.returncode == 2:  # the limit left too little to start at all: one clear message
        assert "error:" in p.stderr and "memory" in p.stderr.lower(), p.stderr[-2000:]
        return
    files = {os.path.basename(f["input"]): f for f in json.loads(report.read_text())["images"]}
    assert files["big.png"]["status"] == "failed" and "memory" in files["big.png"]["error"].lower(), files
    assert files["small.png"]["status"] == "restored", files
