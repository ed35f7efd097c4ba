"""The exported (fast) graph computes the reference function."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gpen.model import FullGenerator, ModulatedConv2d, blur_kernel, randomize_, upfirdn2d
from gpen.fast import FastGPEN, polyphase_skip_weight, polyphase_upsample_weight

torch.set_num_threads(2)


def test_polyphase_upsample_equals_transposed_conv_then_blur():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 5, 7, 7, generator=gen)
    w = torch.randn(4, 5, 3, 3, generator=gen)
    reference = upfirdn2d(F.conv_transpose2d(x, w.transpose(0, 1), stride=2), blur_kernel(4.0),
                          pad0=1, pad1=1)
    k2 = polyphase_upsample_weight(w)
    z = F.pixel_shuffle(F.conv2d(x, k2, padding=1), 2)
    blur = blur_kernel(4.0).flip([0, 1]).reshape(1, 1, 4, 4).repeat(4, 1, 1, 1)
    ours = F.conv2d(z, blur, padding=1, groups=4)[:, :, :14, :14]
    assert ours.shape == reference.shape == (2, 4, 14, 14)
    assert (ours - reference).abs().max() < 1e-4


def test_polyphase_skip_equals_upfirdn2d():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 3, 9, 9, generator=gen)
    reference = upfirdn2d(x, blur_kernel(4.0), up=2, pad0=2, pad1=1)
    ours = F.pixel_shuffle(F.conv2d(x, polyphase_skip_weight(blur_kernel(4.0), 3), padding=1,
                                    groups=3), 2)
    assert (ours - reference).abs().max() < 1e-5


def rel_err(a, b):
    return float((a - b).abs().max() / b.abs().max())


@pytest.mark.parametrize("modulation", ["auto", "input", "weight"])
def test_every_modulation_strategy_matches_the_reference(modulation):
    model = randomize_(FullGenerator(64, 1, 0.25), seed=3).eval()
    x = torch.rand(3, 3, 64, 64, generator=torch.Generator().manual_seed(3)) * 2 - 1
    with torch.no_grad():
        ref = model(x)
        ours = torch.jit.script(FastGPEN(model, modulation).eval())(x)
    assert (ours - ref).abs().max() < 1e-4


@pytest.mark.parametrize("size,multiplier,narrow", [(256, 1, 0.5), (512, 2, 1.0)])
def test_eager_reference_vs_exported_torchscript(tmp_path, size, multiplier, narrow):
    from gpen import export

    model = export.build_reference(size, multiplier, narrow, seed=size)
    path = str(tmp_path / f"gpen-{size}.pt")
    meta = export.export_model(model, path, {"random_weights": True, "seed": size})
    assert meta["size"] == size
    x = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(size)) * 2 - 1
    loaded = torch.jit.load(path)
    with torch.no_grad():
        ref = model(x)
        ours = loaded(x)
    diff = float((ours - ref).abs().max())
    print(f"GPEN-{size}: max |exported - eager reference| = {diff:.3g}")
    assert diff <= 1e-4


def test_fixture_parity(shared, tmp_path):
    import os
    from gpen import export

    d = os.path.join(shared, "fixtures", "gpen", "parity-64")
    sd = export.load_checkpoint(os.path.join(d, "checkpoint.pth"))
    model = export.build_reference(**export.infer_config(sd), state_dict=sd)
    x = torch.from_numpy(np.load(os.path.join(d, "input_tensor.npy")))
    expected = torch.from_numpy(np.load(os.path.join(d, "output_tensor.npy")))
    with torch.no_grad():
        assert (model(x) - expected).abs().max() <= 1e-5  # the reference formulation itself
    path = str(tmp_path / "parity.pt")
    export.export_model(model, path, {"random_weights": False})
    with torch.no_grad():
        assert (torch.jit.load(path)(x) - expected).abs().max() <= 1e-4
