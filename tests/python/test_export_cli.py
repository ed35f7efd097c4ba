"""`python -m gpen.export` from a source checkout."""

import json
import os
import subprocess
import sys

import torch

from gpen import export
from gpen.model import FullGenerator, randomize_

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_export(*args):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    return subprocess.run([sys.executable, "-m", "gpen.export", *args], env=env,
                          capture_output=True, text=True)


def test_random_export_writes_model_with_metadata(tmp_path):
    out = tmp_path / "random.pt"
    r = run_export("gpen", "--random", "--seed", "5", "--size", "64", "--channel-multiplier", "1",
                   "--narrow", "0.25", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "RANDOM WEIGHTS" in r.stdout
    meta = export.read_metadata(str(out))
    assert meta["format"] == "gpen-torchscript" and meta["format_version"] == 1
    assert (meta["size"], meta["channel_multiplier"], meta["narrow"]) == (64, 1, 0.25)
    assert meta["input"]["color_order"] == "RGB"
    assert meta["input"]["mean"] == [0.5, 0.5, 0.5] and meta["input"]["std"] == [0.5, 0.5, 0.5]
    assert meta["exporter_version"] == export.EXPORTER_VERSION
    assert meta["source"] == {"random_weights": True, "seed": 5}
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(out).st_mode & 0o777 == 0o666 & ~umask
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".gpen-export-")]


def test_checkpoint_wrapped_in_params_ema_with_module_prefix(tmp_path):
    model = randomize_(FullGenerator(64, 1, 0.25), seed=9)
    ckpt = tmp_path / "wrapped.pth"
    torch.save({"params_ema": {"module." + k: v for k, v in model.state_dict().items()}}, ckpt)
    out = tmp_path / "m.pt"
    r = run_export("gpen", "--checkpoint", str(ckpt), "--size", "64", "--channel-multiplier", "1",
                   "--narrow", "0.25", "-o", str(out), "--check")
    assert r.returncode == 0, r.stderr
    assert "check: max |exported - reference|" in r.stdout
    meta = export.read_metadata(str(out))
    assert meta["source"]["random_weights"] is False
    assert len(meta["source"]["sha256"]) == 64
    x = torch.rand(1, 3, 64, 64) * 2 - 1
    with torch.no_grad():
        assert (torch.jit.load(str(out))(x) - model.eval()(x)).abs().max() <= 1e-4


def test_export_errors_are_clear(tmp_path):
    r = run_export("gpen", "--checkpoint", str(tmp_path / "missing.pth"), "-o", str(tmp_path / "x.pt"))
    assert r.returncode == 2 and "checkpoint not found" in r.stderr
    bad = tmp_path / "bad.pth"
    bad.write_text("not a checkpoint")
    r = run_export("gpen", "--checkpoint", str(bad), "-o", str(tmp_path / "x.pt"))
    assert r.returncode == 2 and "cannot read checkpoint" in r.stderr
    other = tmp_path / "other.pth"
    torch.save({"weight": torch.zeros(3)}, other)
    r = run_export("gpen", "--checkpoint", str(other), "-o", str(tmp_path / "x.pt"))
    assert r.returncode == 2 and "not a GPEN checkpoint" in r.stderr
    model = randomize_(FullGenerator(64, 1, 0.25), seed=1)
    good = tmp_path / "good.pth"
    torch.save(model.state_dict(), good)
    r = run_export("gpen", "--checkpoint", str(good), "--size", "512", "-o", str(tmp_path / "x.pt"))
    assert r.returncode == 2 and "--size 512 does not match the checkpoint" in r.stderr
    r = run_export("gpen", "-o", str(tmp_path / "x.pt"))
    assert r.returncode == 2 and "exactly one of --checkpoint PATH or --random" in r.stderr
    assert not (tmp_path / "x.pt").exists()
