"""RetinaFace module tree: published layouts, reference parity, export."""

import json
import os

import numpy as np
import pytest
import torch

from gpen import export, retinaface
from gpen.model import unwrap_state_dict


@pytest.mark.parametrize("layout,backbone", [("mobilenet0.25", "mobilenet0.25"), ("Resnet50", "resnet50")])
def test_published_layouts_load_strictly(shared, layout, backbone):
    with open(os.path.join(shared, "fixtures", "retinaface", "layouts", f"{layout}.json")) as f:
        lay = json.load(f)
    model = retinaface.RetinaFace(backbone)
    assert {k: list(v.shape) for k, v in model.state_dict().items()} == dict(
        (name, shape) for name, shape in lay["state_dict"])
    sd = {name: torch.rand(shape) if shape else torch.tensor(0) for name, shape in lay["state_dict"]}
    model.load_state_dict(sd, strict=True)
    assert sum(p.numel() for p in model.parameters()) == lay["parameters"]


def test_parity_with_reference_raw_outputs(shared, tmp_path):
    d = os.path.join(shared, "fixtures", "retinaface", "parity-mobilenet0.25")
    model = retinaface.RetinaFace("mobilenet0.25")
    model.load_state_dict(unwrap_state_dict(torch.load(os.path.join(d, "checkpoint.pth"))), strict=True)
    path = str(tmp_path / "det.pt")
    meta = export.export_retinaface(model, path, {"random_weights": False})
    assert meta["architecture"] == "retinaface" and meta["input"]["mean"] == [104.0, 117.0, 123.0]
    x = torch.from_numpy(np.load(os.path.join(d, "input_tensor.npy")))
    with torch.no_grad():
        outs = torch.jit.load(path)(x)
    for out, name in zip(outs, ["loc", "conf", "landms"]):
        ref = torch.from_numpy(np.load(os.path.join(d, f"{name}.npy")))
        assert out.shape == ref.shape
        assert (out - ref).abs().max() <= 1e-4, name


def test_unknown_backbone_is_refused():
    with pytest.raises(ValueError, match="backbone must be one of"):
        retinaface.RetinaFace("vgg")


def test_export_cli_refuses_a_gpen_checkpoint_as_retinaface(tmp_path):
    from gpen.model import FullGenerator, randomize_
    ckpt = tmp_path / "gpen.pth"
    torch.save(randomize_(FullGenerator(64, 1, 0.25), 0).state_dict(), ckpt)
    code = export.main(["retinaface", "--checkpoint", str(ckpt), "--backbone", "resnet50",
                        "-o", str(tmp_path / "det.pt")])
    assert code == 2
    assert not (tmp_path / "det.pt").exists()
