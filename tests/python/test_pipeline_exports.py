"""The other networks of the upstream pipeline: RRDBNet (background SR) and ParseNet (paste-back
masks) load their published layouts strictly, match the reference fixtures, and export."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from gpen import export, parsenet, rrdbnet
from gpen.model import unwrap_state_dict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SR_LAYOUTS = ["realesrnet_x1", "realesrnet_x2", "realesrnet_x4", "RealESRGAN_x2plus", "RealESRGAN_x4plus"]


def load_layout(shared, *parts):
    with open(os.path.join(shared, "fixtures", *parts)) as f:
        return json.load(f)


def random_state_dict(lay, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return {name: torch.randn(shape, generator=gen) if shape else torch.tensor(0) for name, shape in lay["state_dict"]}


@pytest.mark.parametrize("name", SR_LAYOUTS)
def test_published_rrdbnet_layouts_load_strictly(shared, name):
    lay = load_layout(shared, "realesrnet", "layouts", f"{name}.json")
    sd = random_state_dict(lay)
    config = rrdbnet.infer_config(sd)
    cfg = lay["config"]
    assert config == {k: cfg[k] for k in ("scale", "num_feat", "num_block", "num_grow_ch")}
    model = rrdbnet.RRDBNet(**config)
    model.load_state_dict(sd, strict=True)
    assert {k: list(v.shape) for k, v in model.state_dict().items()} == {n: s for n, s in lay["state_dict"]}


def test_published_parsenet_layout_loads_strictly(shared):
    lay = load_layout(shared, "parsenet", "layouts", "ParseNet-latest.json")
    sd = random_state_dict(lay)
    model = parsenet.ParseNet(**parsenet.infer_config(sd))
    model.load_state_dict(sd, strict=True)
    assert model.size == lay["config"]["in_size"] == 512
    assert {k: list(v.shape) for k, v in model.state_dict().items()} == {n: s for n, s in lay["state_dict"]}
    assert parsenet.MASK_COLORMAP == load_layout(shared, "parsenet", "parity", "config.json")["colormap"]


@pytest.mark.parametrize("scale", [1, 2, 4])
def test_rrdbnet_fixtures_match_the_reference(shared, scale):
    d = os.path.join(shared, "fixtures", "realesrnet", f"parity-x{scale}")
    sd = unwrap_state_dict(torch.load(os.path.join(d, "checkpoint.pth"), map_location="cpu"))
    model = rrdbnet.RRDBNet(**rrdbnet.infer_config(sd)).eval()
    model.load_state_dict(sd, strict=True)
    with torch.no_grad():
        y = model(torch.from_numpy(np.load(os.path.join(d, "input_tensor.npy"))))
    assert float((y - torch.from_numpy(np.load(os.path.join(d, "output_tensor.npy")))).abs().max()) <= 1e-5


def test_parsenet_fixture_matches_the_reference(shared):
    d = os.path.join(shared, "fixtures", "parsenet", "parity")
    sd = unwrap_state_dict(torch.load(os.path.join(d, "checkpoint.pth"), map_location="cpu"))
    model = parsenet.ParseNet(**parsenet.infer_config(sd)).eval()
    model.load_state_dict(sd, strict=True)
    with torch.no_grad():
        logits = parsenet.ParseNetLogits(model)(torch.from_numpy(np.load(os.path.join(d, "input_tensor.npy"))))
    assert float((logits - torch.from_numpy(np.load(os.path.join(d, "logits.npy")))).abs().max()) <= 1e-4


def run_export(*args):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    return subprocess.run([sys.executable, "-m", "gpen.export", *args], env=env, capture_output=True, text=True)


def test_realesrnet_export_from_a_params_ema_checkpoint(tmp_path):
    model = rrdbnet.randomize_(rrdbnet.RRDBNet(1, 8, 1, 4), 3)
    ckpt = tmp_path / "realesrnet_x1.pth"
    torch.save({"params_ema": model.state_dict()}, ckpt)
    out = tmp_path / "sr.pt"
    r = run_export("realesrnet", "--checkpoint", str(ckpt), "--check", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "RRDBNet x1, 8 features, 1 blocks" in r.stdout and "check: max |exported - reference| = 0" in r.stdout
    meta = export.read_metadata(str(out))
    assert (meta["architecture"], meta["scale"], meta["multiple_of"]) == ("realesrnet", 1, 4)
    assert meta["source"]["random_weights"] is False


def test_parsenet_export_and_errors(tmp_path):
    out = tmp_path / "parse.pt"
    r = run_export("parsenet", "--random", "--base-ch", "8", "--levels", "1", "--body", "1", "--check", "-o", str(out))
    assert r.returncode == 0, r.stderr
    meta = export.read_metadata(str(out))
    assert (meta["architecture"], meta["size"]) == ("parsenet", 64)
    assert meta["mask_colormap"] == parsenet.MASK_COLORMAP and len(meta["labels"]) == 19
    # A GPEN checkpoint given as an upsampler: a clear error, exit 2, nothing written.
    gpen_ckpt = tmp_path / "gpen.pth"
    torch.save({"generator.input.input": torch.zeros(1, 8, 4, 4)}, gpen_ckpt)
    r = run_export("realesrnet", "--checkpoint", str(gpen_ckpt), "-o", str(tmp_path / "x.pt"))
    assert r.returncode == 2
    assert "not an RRDBNet checkpoint: parameter conv_first.weight is missing" in r.stderr
    r = run_export("parsenet", "--checkpoint", str(gpen_ckpt), "-o", str(tmp_path / "x.pt"))
    assert r.returncode == 2 and "not a ParseNet checkpoint" in r.stderr
    assert not (tmp_path / "x.pt").exists()


def test_seg2face_export_matches_the_unnormalised_reference(shared, tmp_path):
    """Seg2face runs on [0, 1] pixels (is_norm False); the export keeps the library's [-1, 1]
    contract around it, and the result equals the reference's parity-64-unnorm output."""
    d = os.path.join(shared, "fixtures", "gpen", "parity-64-unnorm")
    sd = export.load_checkpoint(os.path.join(shared, "fixtures", "gpen", "parity-64", "checkpoint.pth"))
    model = export.build_reference(64, 1, 0.25, state_dict=sd)
    out = tmp_path / "seg2face.pt"
    meta = export.export_model(model, str(out), {"random_weights": False}, task="seg2face")
    assert (meta["task"], meta["is_norm"]) == ("seg2face", False)
    x01 = torch.from_numpy(np.load(os.path.join(d, "input_tensor.npy")))
    with torch.no_grad():
        y = torch.jit.load(str(out))(x01 * 2 - 1) * 0.5 + 0.5
    diff = float((y - torch.from_numpy(np.load(os.path.join(d, "output_tensor.npy")))).abs().max())
    assert diff <= 1e-4, diff
    r = run_export("gpen", "--checkpoint", os.path.join(shared, "fixtures", "gpen", "parity-64", "checkpoint.pth"),
                   "--task", "colorize", "--check", "-o", str(tmp_path / "c.pt"))
    assert r.returncode == 0, r.stderr
    assert "(colorize)" in r.stdout and export.read_metadata(str(tmp_path / "c.pt"))["task"] == "colorize"


def test_full_generator_sr_export_and_the_fixture(shared, tmp_path):
    """FullGenerator_SR (GPEN-BFR-2048's architecture; here 32 in, 64 out). The reference feeds
    random normal noise to the decoder levels above its input size, so its output differs run to
    run: the fixture's output is one such draw. The export uses zero noise there (deterministic):
    it equals the reference formulation with zero noise, and it is as close to the fixture as two
    reference runs are to each other."""
    d = os.path.join(shared, "fixtures", "gpen", "parity-sr-32-64")
    sd = export.load_checkpoint(os.path.join(d, "checkpoint.pth"))
    config = export.infer_config(sd)
    assert config == {"size": 64, "in_size": 32, "channel_multiplier": 1, "narrow": 0.25}
    model = export.build_reference(64, 1, 0.25, state_dict=sd, in_size=32)
    out = tmp_path / "sr.pt"
    meta = export.export_model(model, str(out), {"random_weights": False})
    assert (meta["in_size"], meta["size"]) == (32, 64)
    x = torch.from_numpy(np.load(os.path.join(d, "input_tensor.npy")))
    reference = torch.from_numpy(np.load(os.path.join(d, "output_tensor.npy")))
    with torch.no_grad():
        ours = torch.jit.load(str(out))(x)
        assert ours.shape == (1, 3, 64, 64)
        assert float((ours - model(x)).abs().max()) <= 1e-4
        model.missing_noise = "random"
        torch.manual_seed(0)
        draws = [model(x) for _ in range(4)]
    run_to_run = np.mean([float((a - b).abs().mean()) for a, b in zip(draws, draws[1:])])
    ours_to_fixture = float((ours - reference).abs().mean())
    print(f"mean |ours - fixture| = {ours_to_fixture:.3f}; mean |run - run| of the reference = {run_to_run:.3f}")
    assert ours_to_fixture <= run_to_run * 1.1


def test_published_2048_layout_loads_strictly(shared):
    lay = load_layout(shared, "gpen", "layouts", "GPEN-BFR-2048.json")
    sd = random_state_dict(lay)
    config = export.infer_config(sd)
    assert config == {"size": 2048, "in_size": 1024, "channel_multiplier": 2, "narrow": 1.0}
    model = export.build_reference(2048, 2, 1.0, state_dict=sd, in_size=1024)
    assert {k: list(v.shape) for k, v in model.state_dict().items()} == {n: s for n, s in lay["state_dict"]}


def test_catalogue_conversion_of_upsamplers_and_parsers(tmp_path, monkeypatch):
    """`gpen models pull/convert` export RRDBNet and ParseNet checkpoints like the face models:
    strictly, checked against the catalogue entry, recognised by their parameter names."""
    from gpen import models
    monkeypatch.setenv("GPEN_HOME", str(tmp_path / "home"))
    sr = rrdbnet.randomize_(rrdbnet.RRDBNet(1, 8, 1, 4), 1)
    ckpt = tmp_path / "realesrnet_x1.pth"
    torch.save({"params_ema": sr.state_dict()}, ckpt)
    entry = {"name": "realesrnet_x1", "file": "realesrnet_x1.pth",
             "export": {"architecture": "rrdbnet", "scale": 1, "num_feat": 8, "num_block": 1}}
    meta = models._export(entry, str(ckpt), str(tmp_path / "sr.pt"))
    assert (meta["architecture"], meta["scale"]) == ("realesrnet", 1)
    with pytest.raises(models.ModelsError, match="wrong layout for realesrnet_x1: its num_feat is 8, the catalogue says 32"):
        models._export(dict(entry, export=dict(entry["export"], num_feat=32)), str(ckpt), str(tmp_path / "x.pt"))
    # A .pth given by path: recognised by its parameter names, converted once into the cache.
    converted = models.convert(str(ckpt), quiet=True)
    assert export.read_metadata(converted)["architecture"] == "realesrnet"
    net = parsenet.randomize_(parsenet.ParseNet(8, [8, 16], 1, [16, 8]), 2)
    parse_ckpt = tmp_path / "ParseNet-latest.pth"
    torch.save(net.state_dict(), parse_ckpt)
    assert export.read_metadata(models.convert(str(parse_ckpt), quiet=True))["architecture"] == "parsenet"
