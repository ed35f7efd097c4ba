"""RetinaFace face detector (ResNet-50 and MobileNet-0.25 backbones) as a module tree that loads
the published checkpoints unchanged (names and shapes of ``../shared/fixtures/retinaface/layouts``).

The forward pass returns the raw per-prior outputs ``(loc [N,P,4], conf [N,P,2] softmaxed,
landms [N,P,10])`` for a BGR float input minus the mean (104, 117, 123); priors, decoding,
thresholds and NMS are done by the C++ side.
"""

from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .random_weights import randomize_conv_bn_

CONFIGS: Dict[str, Dict[str, object]] = {
    "mobilenet0.25": {"in_channel": 32, "out_channel": 64},
    "resnet50": {"in_channel": 256, "out_channel": 256},
}
MIN_SIZES = [[16, 32], [64, 128], [256, 512]]
STEPS = [8, 16, 32]
VARIANCE = [0.1, 0.2]
MEAN_BGR = [104.0, 117.0, 123.0]


def conv_bn(cin: int, cout: int, stride: int = 1, leaky: float = 0.0) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout),
                         nn.LeakyReLU(leaky))


def conv_bn_no_relu(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))


def conv_bn_1x1(cin: int, cout: int, leaky: float = 0.0) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 1, 1, 0, bias=False), nn.BatchNorm2d(cout),
                         nn.LeakyReLU(leaky))


def conv_dw(cin: int, cout: int, stride: int, leaky: float = 0.1) -> nn.Sequential:
    """Depthwise 3x3 + pointwise 1x1, each with batch norm and leaky ReLU."""
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin),
        nn.LeakyReLU(leaky),
        nn.Conv2d(cin, cout, 1, 1, 0, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(leaky))


class MobileNetV1(nn.Module):
    """MobileNet-0.25 body: three stages at strides 8, 16, 32."""

    def __init__(self):
        super().__init__()
        self.stage1 = nn.Sequential(conv_bn(3, 8, 2, leaky=0.1), conv_dw(8, 16, 1), conv_dw(16, 32, 2),
                                    conv_dw(32, 32, 1), conv_dw(32, 64, 2), conv_dw(64, 64, 1))
        self.stage2 = nn.Sequential(conv_dw(64, 128, 2), *[conv_dw(128, 128, 1) for _ in range(5)])
        self.stage3 = nn.Sequential(conv_dw(128, 256, 2), conv_dw(256, 256, 1))

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        c1 = self.stage1(x)
        c2 = self.stage2(c1)
        return [c1, c2, self.stage3(c2)]


class Bottleneck(nn.Module):
    """ResNet-50 bottleneck (stride on the 3x3 conv)."""

    def __init__(self, cin: int, width: int, stride: int, downsample: bool):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, width * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(width * 4)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, width * 4, 1, stride, bias=False),
                                         nn.BatchNorm2d(width * 4))
                           if downsample else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + self.downsample(x))


def resnet_layer(cin: int, width: int, blocks: int, stride: int) -> nn.Sequential:
    layers = [Bottleneck(cin, width, stride, downsample=True)]
    layers += [Bottleneck(width * 4, width, 1, downsample=False) for _ in range(blocks - 1)]
    return nn.Sequential(*layers)


class ResNet50(nn.Module):
    """ResNet-50 body returning layer2, layer3, layer4 (strides 8, 16, 32)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = resnet_layer(64, 64, 3, 1)
        self.layer2 = resnet_layer(256, 128, 4, 2)
        self.layer3 = resnet_layer(512, 256, 6, 2)
        self.layer4 = resnet_layer(1024, 512, 3, 2)

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        c2 = self.layer2(self.layer1(x))
        c3 = self.layer3(c2)
        return [c2, c3, self.layer4(c3)]


class FPN(nn.Module):
    def __init__(self, in_channels: List[int], out: int):
        super().__init__()
        leaky = 0.1 if out <= 64 else 0.0
        self.output1 = conv_bn_1x1(in_channels[0], out, leaky)
        self.output2 = conv_bn_1x1(in_channels[1], out, leaky)
        self.output3 = conv_bn_1x1(in_channels[2], out, leaky)
        self.merge1 = conv_bn(out, out, leaky=leaky)
        self.merge2 = conv_bn(out, out, leaky=leaky)

    def forward(self, feats: List[torch.Tensor]) -> List[torch.Tensor]:
        o1 = self.output1(feats[0])
        o2 = self.output2(feats[1])
        o3 = self.output3(feats[2])
        o2 = self.merge2(o2 + F.interpolate(o3, size=[o2.shape[2], o2.shape[3]], mode="nearest"))
        o1 = self.merge1(o1 + F.interpolate(o2, size=[o1.shape[2], o1.shape[3]], mode="nearest"))
        return [o1, o2, o3]


class SSH(nn.Module):
    """Single-stage headless context module: 3x3, 5x5 and 7x7 receptive fields, concatenated."""

    def __init__(self, cin: int, out: int):
        super().__init__()
        leaky = 0.1 if out <= 64 else 0.0
        self.conv3X3 = conv_bn_no_relu(cin, out // 2)
        self.conv5X5_1 = conv_bn(cin, out // 4, leaky=leaky)
        self.conv5X5_2 = conv_bn_no_relu(out // 4, out // 4)
        self.conv7X7_2 = conv_bn(out // 4, out // 4, leaky=leaky)
        self.conv7x7_3 = conv_bn_no_relu(out // 4, out // 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c5_1 = self.conv5X5_1(x)
        c7_2 = self.conv7X7_2(c5_1)
        return F.relu(torch.cat([self.conv3X3(x), self.conv5X5_2(c5_1), self.conv7x7_3(c7_2)], 1))


class Head(nn.Module):
    """1x1 conv predicting `per_anchor` values for each of 2 anchors, flattened per prior."""

    def __init__(self, cin: int, per_anchor: int):
        super().__init__()
        self.per_anchor = per_anchor
        self.conv1x1 = nn.Conv2d(cin, 2 * per_anchor, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv1x1(x).permute(0, 2, 3, 1).contiguous()
        return y.reshape(y.shape[0], -1, self.per_anchor)


class RetinaFace(nn.Module):
    def __init__(self, backbone: str):
        super().__init__()
        if backbone not in CONFIGS:
            raise ValueError(f"backbone must be one of {', '.join(CONFIGS)}, got {backbone!r}")
        self.backbone = backbone
        cfg = CONFIGS[backbone]
        cin, out = int(cfg["in_channel"]), int(cfg["out_channel"])
        self.body = MobileNetV1() if backbone == "mobilenet0.25" else ResNet50()
        self.fpn = FPN([cin * 2, cin * 4, cin * 8], out)
        self.ssh1 = SSH(out, out)
        self.ssh2 = SSH(out, out)
        self.ssh3 = SSH(out, out)
        self.ClassHead = nn.ModuleList([Head(out, 2) for _ in range(3)])
        self.BboxHead = nn.ModuleList([Head(out, 4) for _ in range(3)])
        self.LandmarkHead = nn.ModuleList([Head(out, 10) for _ in range(3)])

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        fpn = self.fpn(self.body(x))
        feats = (self.ssh1(fpn[0]), self.ssh2(fpn[1]), self.ssh3(fpn[2]))
        loc: List[torch.Tensor] = []
        conf: List[torch.Tensor] = []
        landms: List[torch.Tensor] = []
        for i, head in enumerate(self.BboxHead):
            loc.append(head(feats[i]))
        for i, head in enumerate(self.ClassHead):
            conf.append(head(feats[i]))
        for i, head in enumerate(self.LandmarkHead):
            landms.append(head(feats[i]))
        return torch.cat(loc, 1), F.softmax(torch.cat(conf, 1), dim=-1), torch.cat(landms, 1)


def randomize_(model: RetinaFace, seed: int) -> RetinaFace:
    """Seeded random weights and batch-norm statistics (for tests)."""
    return randomize_conv_bn_(model, seed)
