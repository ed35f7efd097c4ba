"""ParseNet (the face-parsing network of the GPEN release, from PSFR-GAN) as a module tree that
loads the published ``ParseNet-latest.pth`` unchanged (``../shared/fixtures/parsenet/layouts``).

The network: a 3x3 convolution, residual blocks that halve the size down to 32x32, ``res_depth``
residual blocks (added to their input), residual blocks that double it back, and two heads: the
19-class parsing logits (used here) and an image (unused). Every convolution reflection-pads its
input; the residual convolutions use batch norm (inference statistics) and leaky ReLU (0.2).

Input: RGB ``[B, 3, S, S]`` in [-1, 1] (S = 512 for the published model). Output (of the export
wrapper :class:`ParseNetLogits`): logits ``[B, 19, S, S]``. The upstream paste-back maps the
argmax label through :data:`MASK_COLORMAP` to a 0/255 face mask.
"""

from typing import Dict, List

import torch
import torch.nn.functional as F
from torch import nn

from .random_weights import randomize_conv_bn_

LABELS = ["background", "skin", "nose", "eye_g", "l_eye", "r_eye", "l_brow", "r_brow", "l_ear", "r_ear",
          "mouth", "u_lip", "l_lip", "hair", "hat", "ear_r", "neck_l", "neck", "cloth"]
# Label -> mask value of the upstream paste-back: everything but background, hat and cloth.
MASK_COLORMAP = [0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 255, 255, 255, 0]
MIN_FEAT_SIZE = 32


class NormLayer(nn.Module):
    """Batch norm (inference statistics), or nothing; named as published (``*.norm.norm.*``)."""

    def __init__(self, channels: int, batch_norm: bool):
        super().__init__()
        self.norm = nn.BatchNorm2d(channels) if batch_norm else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x)


class ConvLayer(nn.Module):
    """[nearest x2 upsampling,] reflection pad, 3x3 convolution (stride 2 to go down), [batch norm,]
    [leaky ReLU]. With batch norm the convolution has no bias."""

    def __init__(self, cin: int, cout: int, scale: str = "none", norm: bool = False, relu: bool = False):
        super().__init__()
        self.up = scale == "up"
        self.conv2d = nn.Conv2d(cin, cout, 3, 2 if scale == "down" else 1, bias=not norm)
        self.norm = NormLayer(cout, norm)
        self.use_relu = relu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.up:
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        x = self.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect"))
        x = self.norm(x)
        if self.use_relu:
            x = F.leaky_relu(x, 0.2)
        return x


class ResidualBlock(nn.Module):
    def __init__(self, cin: int, cout: int, scale: str = "none"):
        super().__init__()
        # The identity when nothing changes shape (no parameters, as published).
        self.shortcut_func = ConvLayer(cin, cout, scale) if scale != "none" or cin != cout else nn.Identity()
        self.conv1 = ConvLayer(cin, cout, "up" if scale == "up" else "none", norm=True, relu=True)
        self.conv2 = ConvLayer(cout, cout, "down" if scale == "down" else "none", norm=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shortcut_func(x) + self.conv2(self.conv1(x))


class ParseNet(nn.Module):
    """Built from explicit channel lists (read off a checkpoint by :func:`infer_config`)."""

    def __init__(self, base_ch: int, down: List[int], body: int, up: List[int], parsing_ch: int = 19):
        super().__init__()
        self.size = MIN_FEAT_SIZE * 2 ** (len(down) - 1)
        layers: List[nn.Module] = [ConvLayer(3, base_ch)]
        for cin, cout in zip(down[:-1], down[1:]):
            layers.append(ResidualBlock(cin, cout, "down"))
        self.encoder = nn.Sequential(*layers)
        self.body = nn.Sequential(*[ResidualBlock(down[-1], down[-1]) for _ in range(body)])
        self.decoder = nn.Sequential(*[ResidualBlock(cin, cout, "up") for cin, cout in zip(up[:-1], up[1:])])
        self.out_img_conv = ConvLayer(up[-1], 3)
        self.out_mask_conv = ConvLayer(up[-1], parsing_ch)
        self.config = {"base_ch": base_ch, "down": down, "body": body, "up": up, "parsing_ch": parsing_ch}

    def forward(self, x: torch.Tensor):
        feat = self.encoder(x)
        x = self.decoder(feat + self.body(feat))
        return self.out_mask_conv(x), self.out_img_conv(x)


class ParseNetLogits(nn.Module):
    """What is exported: the parsing logits only (the image head is not computed)."""

    def __init__(self, net: ParseNet):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feat = self.net.encoder(x)
        return self.net.out_mask_conv(self.net.decoder(feat + self.net.body(feat)))


def infer_config(sd: Dict[str, torch.Tensor]) -> Dict[str, object]:
    """Channel lists of a ParseNet state_dict: ``down`` = [base, after each down block], the
    body depth, ``up`` = [decoder input, after each up block], and the class count."""
    def count(prefix: str) -> int:
        return len({k.split(".")[1] for k in sd if k.startswith(prefix + ".")})
    try:
        base = int(sd["encoder.0.conv2d.weight"].shape[0])
        down = [base] + [int(sd[f"encoder.{i}.conv1.conv2d.weight"].shape[0]) for i in range(1, count("encoder"))]
        n_up = count("decoder")
        up = ([int(sd["decoder.0.conv1.conv2d.weight"].shape[1])] +
              [int(sd[f"decoder.{i}.conv1.conv2d.weight"].shape[0]) for i in range(n_up)]) if n_up else [down[-1]]
        parsing_ch = int(sd["out_mask_conv.conv2d.weight"].shape[0])
    except KeyError as e:
        raise ValueError(f"not a ParseNet checkpoint: parameter {e.args[0]} is missing") from None
    return {"base_ch": base, "down": down, "body": count("body"), "up": up, "parsing_ch": parsing_ch}


def randomize_(model: ParseNet, seed: int) -> ParseNet:
    """Seeded random weights and batch-norm statistics (for tests)."""
    return randomize_conv_bn_(model, seed)
