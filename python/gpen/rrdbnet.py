"""RRDBNet (Real-ESRNet / Real-ESRGAN background super-resolution) as a module tree that loads the
published checkpoints unchanged (names and shapes of ``../shared/fixtures/realesrnet/layouts``:
the GPEN release's ``realesrnet_x1/x2/x4`` with 32 features and Real-ESRGAN's ``x2plus/x4plus``
with 64; the weights sit under ``params_ema``).

The network: ``conv_first`` -> ``num_block`` residual-in-residual dense blocks -> ``conv_body``
(added to the first features) -> two nearest x2 upsamplings each followed by a 3x3 convolution
and leaky ReLU (0.2) -> ``conv_hr`` + leaky ReLU -> ``conv_last``. The x2 and x1 models see the
input pixel-unshuffled by 2 and 4 (12 and 48 input channels), so their overall scale is 2 and 1.

Input: RGB ``[B, 3, H, W]`` in [0, 1] (no mean/std), H and W multiples of 4 (x1) or 2 (x2).
Output: RGB ``[B, 3, H*scale, W*scale]``, roughly in [0, 1].
"""

from typing import Dict

import torch
import torch.nn.functional as F
from torch import nn

UNSHUFFLE = {1: 4, 2: 2, 4: 1}  # scale -> pixel-unshuffle factor of the input


class ResidualDenseBlock(nn.Module):
    """Five 3x3 convolutions, each seeing the block input and all earlier outputs."""

    def __init__(self, num_feat: int, num_grow_ch: int):
        super().__init__()
        self.conv1 = nn.Conv2d(num_feat, num_grow_ch, 3, 1, 1)
        self.conv2 = nn.Conv2d(num_feat + num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv3 = nn.Conv2d(num_feat + 2 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv4 = nn.Conv2d(num_feat + 3 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv5 = nn.Conv2d(num_feat + 4 * num_grow_ch, num_feat, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1 = F.leaky_relu(self.conv1(x), 0.2)
        x2 = F.leaky_relu(self.conv2(torch.cat([x, x1], 1)), 0.2)
        x3 = F.leaky_relu(self.conv3(torch.cat([x, x1, x2], 1)), 0.2)
        x4 = F.leaky_relu(self.conv4(torch.cat([x, x1, x2, x3], 1)), 0.2)
        x5 = self.conv5(torch.cat([x, x1, x2, x3, x4], 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    """Three dense blocks with a scaled residual around them."""

    def __init__(self, num_feat: int, num_grow_ch: int):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb2 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb3 = ResidualDenseBlock(num_feat, num_grow_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    def __init__(self, scale: int = 4, num_feat: int = 64, num_block: int = 23, num_grow_ch: int = 32,
                 num_in_ch: int = 3, num_out_ch: int = 3):
        super().__init__()
        if scale not in UNSHUFFLE:
            raise ValueError(f"scale must be 1, 2 or 4, got {scale}")
        self.scale, self.num_feat, self.num_block, self.num_grow_ch = scale, num_feat, num_block, num_grow_ch
        self.unshuffle = UNSHUFFLE[scale]
        self.conv_first = nn.Conv2d(num_in_ch * self.unshuffle ** 2, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(num_feat, num_grow_ch) for _ in range(num_block)])
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.unshuffle > 1:
            x = F.pixel_unshuffle(x, self.unshuffle)
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = F.leaky_relu(self.conv_up1(F.interpolate(feat, scale_factor=2.0, mode="nearest")), 0.2)
        feat = F.leaky_relu(self.conv_up2(F.interpolate(feat, scale_factor=2.0, mode="nearest")), 0.2)
        return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))


def infer_config(sd: Dict[str, torch.Tensor]) -> Dict[str, int]:
    """Scale, num_feat, num_block and num_grow_ch read off an RRDBNet state_dict's shapes."""
    try:
        first = sd["conv_first.weight"]
        in_ch = int(first.shape[1])
        num_feat = int(first.shape[0])
        num_grow_ch = int(sd["body.0.rdb1.conv1.weight"].shape[0])
        num_out_ch = int(sd["conv_last.weight"].shape[0])
    except KeyError as e:
        raise ValueError(f"not an RRDBNet checkpoint: parameter {e.args[0]} is missing") from None
    num_block = len({k.split(".")[1] for k in sd if k.startswith("body.")})
    by_in_ch = {3 * f * f: s for s, f in UNSHUFFLE.items()}
    if in_ch not in by_in_ch:
        raise ValueError(f"conv_first takes {in_ch} channels; an RRDBNet for RGB takes 3 (x4), 12 (x2) or 48 (x1)")
    if num_out_ch != 3:
        raise ValueError(f"conv_last makes {num_out_ch} channels; gpen runs RGB models (3)")
    return {"scale": by_in_ch[in_ch], "num_feat": num_feat, "num_block": num_block, "num_grow_ch": num_grow_ch}


def randomize_(model: RRDBNet, seed: int) -> RRDBNet:
    """Seeded random weights scaled so that activations stay in range through the blocks."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.copy_(0.01 * torch.randn(p.shape, generator=gen))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) * (1.0 / fan_in) ** 0.5)
    return model
