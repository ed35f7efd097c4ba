"""The module tree loads the published checkpoint layouts unchanged."""

import json
import os

import pytest
import torch

from gpen.model import FullGenerator, channel_table, unwrap_state_dict
from gpen.export import infer_config


def layout(shared, size):
    with open(os.path.join(shared, "fixtures", "gpen", "layouts", f"GPEN-BFR-{size}.json")) as f:
        return json.load(f)


@pytest.mark.parametrize("size", [256, 512, 1024])
def test_published_layout_loads_strictly(shared, size):
    lay = layout(shared, size)
    cfg = lay["config"]
    model = FullGenerator(cfg["size"], cfg["channel_multiplier"], cfg["narrow"])
    gen = torch.Generator().manual_seed(size)
    sd = {name: torch.randn(shape, generator=gen) for name, shape in lay["state_dict"]}
    result = model.load_state_dict(sd, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert sum(p.numel() for p in model.parameters()) == lay["parameters"]
    # Every parameter and buffer of ours is named in the layout, with the same shape.
    ours = {k: list(v.shape) for k, v in model.state_dict().items()}
    assert ours == {name: shape for name, shape in lay["state_dict"]}
    assert infer_config(sd) == {"size": cfg["size"], "channel_multiplier": cfg["channel_multiplier"],
                                "narrow": cfg["narrow"]}


def test_wrong_shapes_are_refused(shared):
    lay = layout(shared, 256)
    model = FullGenerator(512, 2, 1.0)
    sd = {name: torch.zeros(shape) for name, shape in lay["state_dict"]}
    with pytest.raises(RuntimeError, match="size mismatch"):
        model.load_state_dict(sd, strict=True)


def test_channel_table_matches_published_configs():
    assert channel_table(512, 2, 1.0) == {4: 512, 8: 512, 16: 512, 32: 512, 64: 512, 128: 256,
                                          256: 128, 512: 64}
    assert channel_table(256, 1, 0.5)[256] == 32


def test_wrapped_and_prefixed_checkpoints_unwrap():
    sd = {"generator.input.input": torch.zeros(1), "ecd0.0.0.weight": torch.ones(1)}
    prefixed = {"module." + k: v for k, v in sd.items()}
    for wrapped in (sd, prefixed, {"params_ema": sd}, {"state_dict": prefixed},
                    {"params_ema": sd, "optimizer": {"lr": 1}}):
        assert set(unwrap_state_dict(wrapped)) == set(sd)
    with pytest.raises(ValueError, match="holds no tensors"):
        unwrap_state_dict({"epoch": 3})
    with pytest.raises(ValueError, match="not a state_dict"):
        unwrap_state_dict([1, 2])
