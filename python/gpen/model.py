"""GPEN generator as a PyTorch module tree that loads the published checkpoints unchanged.

Parameter names and shapes match the published GPEN-BFR-256/512/1024 ``state_dict``s (see
``../shared/fixtures/gpen/layouts``).  The ``forward`` methods here follow the reference
formulation (per-sample modulated weights, grouped convolutions, zero-stuffing ``upfirdn2d``):
they are the ground truth for parity tests and the baseline of the CPU benchmark.  The fast
inference graph that is exported lives in :mod:`gpen.fast`.
"""

import math
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import nn

STYLE_DIM = 512
N_MLP = 8
LR_MLP = 0.01
BLUR_TAPS = (1.0, 3.0, 3.0, 1.0)


def channel_table(size: int, channel_multiplier: int, narrow: float) -> Dict[int, int]:
    """Feature channels per resolution, exactly as the published configs compute them."""
    m, n = channel_multiplier, narrow
    table = {4: 512 * n, 8: 512 * n, 16: 512 * n, 32: 512 * n, 64: 256 * m * n,
             128: 128 * m * n, 256: 64 * m * n, 512: 32 * m * n, 1024: 16 * m * n,
             2048: 8 * m * n}
    return {r: int(c) for r, c in table.items() if r <= size}


def blur_kernel(gain: float = 1.0) -> torch.Tensor:
    """The 4x4 binomial kernel ``outer(v, v) / sum``, times ``gain``."""
    v = torch.tensor(BLUR_TAPS, dtype=torch.float32)
    k = torch.outer(v, v)
    return k / k.sum() * gain


def upfirdn2d(x: torch.Tensor, kernel: torch.Tensor, up: int = 1, down: int = 1,
              pad0: int = 0, pad1: int = 0) -> torch.Tensor:
    """Reference upfirdn2d: zero-stuff by ``up``, pad, filter per channel, keep every ``down``-th."""
    n, c, h, w = x.shape
    y = x.reshape(n * c, 1, h, w)
    if up > 1:
        y = y.reshape(n * c, h, 1, w, 1)
        y = F.pad(y, (0, up - 1, 0, 0, 0, up - 1))
        y = y.reshape(n * c, 1, h * up, w * up)
    y = F.pad(y, (pad0, pad1, pad0, pad1))
    k = torch.flip(kernel, [0, 1]).reshape(1, 1, kernel.shape[0], kernel.shape[1])
    y = F.conv2d(y, k)
    y = y[:, :, ::down, ::down]
    return y.reshape(n, c, y.shape[2], y.shape[3])


def fused_leaky_relu(x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    shape = [1, -1] + [1] * (x.dim() - 2)
    return F.leaky_relu(x + bias.reshape(shape), 0.2) * math.sqrt(2.0)


class PixelNorm(nn.Module):
    def forward(self, x):
        return x * torch.rsqrt(torch.mean(x * x, dim=1, keepdim=True) + 1e-8)


class Blur(nn.Module):
    """Holds the ``kernel`` buffer (already multiplied by 4 when used for upsampling)."""

    def __init__(self, pad0: int, pad1: int, upsample_factor: int = 1):
        super().__init__()
        self.register_buffer("kernel", blur_kernel(upsample_factor ** 2))
        self.pad0, self.pad1 = pad0, pad1

    def forward(self, x):
        return upfirdn2d(x, self.kernel, pad0=self.pad0, pad1=self.pad1)


class Upsample(nn.Module):
    """2x upsampling of the RGB skip: ``upfirdn2d(x, 4k, up=2, pad=(2, 1))``."""

    def __init__(self):
        super().__init__()
        self.register_buffer("kernel", blur_kernel(4.0))

    def forward(self, x):
        return upfirdn2d(x, self.kernel, up=2, pad0=2, pad1=1)


class EqualConv2d(nn.Module):
    def __init__(self, cin: int, cout: int, k: int, stride: int = 1, padding: int = 0,
                 bias: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.scale = 1.0 / math.sqrt(cin * k * k)
        self.stride, self.padding = stride, padding

    def forward(self, x):
        return F.conv2d(x, self.weight * self.scale, self.bias, self.stride, self.padding)


class EqualLinear(nn.Module):
    def __init__(self, cin: int, cout: int, bias_init: float = 0.0, lr_mul: float = 1.0,
                 activation: bool = False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin) / lr_mul)
        self.bias = nn.Parameter(torch.full((cout,), float(bias_init)))
        self.scale = lr_mul / math.sqrt(cin)
        self.lr_mul = lr_mul
        self.activation = activation

    def forward(self, x):
        if self.activation:
            return fused_leaky_relu(F.linear(x, self.weight * self.scale), self.bias * self.lr_mul)
        return F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)


class FusedLeakyReLU(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        return fused_leaky_relu(x, self.bias)


class ModulatedConv2d(nn.Module):
    def __init__(self, cin: int, cout: int, k: int, demodulate: bool = True,
                 upsample: bool = False):
        super().__init__()
        self.cin, self.cout, self.k = cin, cout, k
        self.weight = nn.Parameter(torch.randn(1, cout, cin, k, k))
        self.modulation = EqualLinear(STYLE_DIM, cin, bias_init=1.0)
        self.scale = 1.0 / math.sqrt(cin * k * k)
        self.demodulate = demodulate
        self.upsample = upsample
        if upsample:
            self.blur = Blur(1, 1, upsample_factor=2)

    def modulated_weight(self, style: torch.Tensor) -> torch.Tensor:
        """Per-sample weights ``[B, out, in, k, k]`` (modulated and, if asked, demodulated)."""
        b = style.shape[0]
        s = self.modulation(style).reshape(b, 1, self.cin, 1, 1)
        w = self.scale * self.weight * s
        if self.demodulate:
            d = torch.rsqrt(w.pow(2).sum([2, 3, 4]) + 1e-8)
            w = w * d.reshape(b, self.cout, 1, 1, 1)
        return w

    def forward(self, x, style):
        b, _, h, w_ = x.shape
        weight = self.modulated_weight(style)
        x = x.reshape(1, b * self.cin, h, w_)
        if self.upsample:
            weight = weight.transpose(1, 2).reshape(b * self.cin, self.cout, self.k, self.k)
            out = F.conv_transpose2d(x, weight, stride=2, padding=0, groups=b)
            out = out.reshape(b, self.cout, out.shape[2], out.shape[3])
            return self.blur(out)
        weight = weight.reshape(b * self.cout, self.cin, self.k, self.k)
        out = F.conv2d(x, weight, padding=self.k // 2, groups=b)
        return out.reshape(b, self.cout, out.shape[2], out.shape[3])


class NoiseInjection(nn.Module):
    """GPEN's concatenating noise injection: ``cat([x, weight * feature])``."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, x, noise):
        return torch.cat([x, self.weight * noise], dim=1)


class StyledConv(nn.Module):
    def __init__(self, cin: int, cout: int, upsample: bool = False):
        super().__init__()
        self.conv = ModulatedConv2d(cin, cout, 3, upsample=upsample)
        self.noise = NoiseInjection()
        self.activate = FusedLeakyReLU(2 * cout)

    def forward(self, x, style, noise):
        return self.activate(self.noise(self.conv(x, style), noise))


class ToRGB(nn.Module):
    def __init__(self, cin: int, upsample: bool = True):
        super().__init__()
        if upsample:
            self.upsample = Upsample()
        self.conv = ModulatedConv2d(cin, 3, 1, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(1, 3, 1, 1))

    def forward(self, x, style, skip: Optional[torch.Tensor] = None):
        out = self.conv(x, style) + self.bias
        if skip is not None:
            out = out + self.upsample(skip)
        return out


class ConstantInput(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.input = nn.Parameter(torch.randn(1, channels, 4, 4))


class Generator(nn.Module):
    """The StyleGAN2-style decoder; noise inputs are the encoder's feature maps."""

    def __init__(self, size: int, channel_multiplier: int, narrow: float):
        super().__init__()
        ch = channel_table(size, channel_multiplier, narrow)
        self.log_size = int(math.log2(size))
        self.style = nn.Sequential(
            PixelNorm(),
            *[EqualLinear(STYLE_DIM, STYLE_DIM, lr_mul=LR_MLP, activation=True)
              for _ in range(N_MLP)])
        self.input = ConstantInput(ch[4])
        self.conv1 = StyledConv(ch[4], ch[4])
        self.to_rgb1 = ToRGB(2 * ch[4], upsample=False)
        self.convs = nn.ModuleList()
        self.to_rgbs = nn.ModuleList()
        cin = ch[4]
        for i in range(3, self.log_size + 1):
            cout = ch[2 ** i]
            self.convs.append(StyledConv(2 * cin, cout, upsample=True))
            self.convs.append(StyledConv(2 * cout, cout))
            self.to_rgbs.append(ToRGB(2 * cout))
            cin = cout

    def forward(self, latent: torch.Tensor, features: List[torch.Tensor],
                missing_noise: str = "zeros") -> torch.Tensor:
        """``latent`` is the encoder's 512-d code; ``features[j]`` is the map at 4 * 2**j. Levels
        without a feature (above the input size of ``FullGenerator_SR``) get the reference's
        ``missing_noise``: "random" (normal noise, as upstream: every run differs) or "zeros"
        (deterministic, what the export computes)."""
        w = self.style(latent)
        x = self.input.input.repeat(latent.shape[0], 1, 1, 1)
        x = self.conv1(x, w, features[0])
        skip = self.to_rgb1(x, w)
        for j in range(len(self.to_rgbs)):
            for conv in (self.convs[2 * j], self.convs[2 * j + 1]):
                if j + 1 < len(features):
                    x = conv(x, w, features[j + 1])
                else:
                    y = conv.conv(x, w)
                    noise = torch.randn_like(y) if missing_noise == "random" else torch.zeros_like(y)
                    x = conv.activate(conv.noise(y, noise))
            skip = self.to_rgbs[j](x, w, skip)
        return skip


def conv_layer(cin: int, cout: int, k: int, downsample: bool) -> nn.Sequential:
    """ConvLayer of the published encoder: [Blur,] EqualConv2d (no bias), FusedLeakyReLU."""
    if downsample:
        return nn.Sequential(Blur(2, 2), EqualConv2d(cin, cout, k, stride=2, bias=False),
                             FusedLeakyReLU(cout))
    return nn.Sequential(EqualConv2d(cin, cout, k, padding=k // 2, bias=False),
                         FusedLeakyReLU(cout))


class FullGenerator(nn.Module):
    """GPEN: an encoder whose features and code drive a StyleGAN2 decoder.

    Input: RGB ``[B, 3, I, I]`` in [-1, 1].  Output: RGB ``[B, 3, S, S]``, roughly in [-1, 1].
    ``I`` is ``in_size`` (default ``S``); ``I < S`` is the reference's ``FullGenerator_SR``
    (GPEN-BFR-2048: 1024 in, 2048 out), whose decoder levels above ``I`` get no encoder feature.
    """

    def __init__(self, size: int, channel_multiplier: int = 2, narrow: float = 1.0,
                 in_size: Optional[int] = None):
        super().__init__()
        in_size = in_size or size
        for name, value in (("size", size), ("in_size", in_size)):
            if value < 32 or value & (value - 1):
                raise ValueError(f"{name} must be a power of two >= 32, got {value}")
        if in_size > size:
            raise ValueError(f"in_size {in_size} is larger than the output size {size}")
        self.size, self.channel_multiplier, self.narrow = size, channel_multiplier, narrow
        self.in_size = in_size
        self.missing_noise = "zeros"  # see Generator.forward
        ch = channel_table(size, channel_multiplier, narrow)
        self.log_size = int(math.log2(in_size))
        self.generator = Generator(size, channel_multiplier, narrow)
        self.n_encoder = self.log_size - 1
        self.ecd0 = nn.Sequential(conv_layer(3, ch[in_size], 1, downsample=False))
        for i in range(self.log_size, 2, -1):
            layer = conv_layer(ch[2 ** i], ch[2 ** (i - 1)], 3, downsample=True)
            setattr(self, f"ecd{self.log_size - i + 1}", nn.Sequential(layer))
        self.final_linear = nn.Sequential(EqualLinear(16 * ch[4], STYLE_DIM, activation=True))

    def encoder_layers(self) -> List[nn.Sequential]:
        return [getattr(self, f"ecd{i}") for i in range(self.n_encoder)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = []
        for ecd in self.encoder_layers():
            x = ecd(x)
            features.append(x)
        latent = self.final_linear(x.reshape(x.shape[0], -1))
        return self.generator(latent, features[::-1], self.missing_noise)


def randomize_(model: FullGenerator, seed: int) -> FullGenerator:
    """Fill every parameter with seeded random values, so that each one affects the output.

    The published initialisation leaves noise weights and biases at zero, which would make
    test models insensitive to those parameters; here they get small random values instead.
    """
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("noise.weight"):
                p.copy_(0.5 + 0.5 * torch.rand(p.shape, generator=gen))
            elif name.endswith("modulation.bias"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif p.dim() == 2 and ".style." in name:
                p.copy_(torch.randn(p.shape, generator=gen) / LR_MLP)
            else:
                p.copy_(torch.randn(p.shape, generator=gen))
    return model


def unwrap_state_dict(obj) -> Dict[str, torch.Tensor]:
    """Accept a bare state_dict or one wrapped in a dict (``params_ema``, ``state_dict``, ...),
    with or without a ``module.`` prefix (DataParallel)."""
    for _ in range(3):
        if isinstance(obj, dict) and obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            break
        if isinstance(obj, dict):
            for key in ("params_ema", "g_ema", "state_dict", "params", "model", "generator"):
                if key in obj and isinstance(obj[key], dict):
                    obj = obj[key]
                    break
            else:
                raise ValueError("checkpoint is a dict but holds no tensors and none of the keys "
                                 "params_ema, g_ema, state_dict, params, model, generator")
        else:
            raise ValueError(f"checkpoint is a {type(obj).__name__}, not a state_dict")
    sd = {}
    for k, v in obj.items():
        while k.startswith("module."):
            k = k[len("module."):]
        sd[k] = v
    return sd
