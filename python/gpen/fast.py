"""The inference graph that gets exported: the same function as :mod:`gpen.model`, rewritten
for speed on oneDNN (CPU) and cuDNN (GPU).

What changes against the reference formulation (all exact rewrites, differences are rounding):

* every constant scale is folded into weights at build time (equalised-lr scales, the
  ``sqrt(2)`` gain of each fused leaky ReLU, the linear-layer ``lr_mul``);
* the upsampling modulated conv (transposed conv then a 4x4 blur on a zero-stuffed map) becomes
  a 2x2 *polyphase* convolution with 4x the output channels, a pixel shuffle and a depthwise blur:
  no ``slow_conv_transpose2d`` and no zero stuffing;
* the RGB skip upsampling (``upfirdn2d`` with ``up=2``) becomes a depthwise 3x3 polyphase
  convolution and a pixel shuffle;
* modulation/demodulation is applied where it is cheaper: on the weights (per sample, grouped
  conv) at high resolution, or on the activations (``x * s`` before, ``* d`` after a conv with
  constant, pre-packable weights) where the weights outnumber the activations. The demodulation
  factors come from one small matrix product ``s^2 @ sum_k(W^2)^T`` instead of a pass over the
  modulated weights;
* all style vectors come out of one matrix product.
"""

import math
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .model import FullGenerator, ModulatedConv2d, StyledConv, ToRGB

SQRT2 = math.sqrt(2.0)


def conv2d(x: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor], stride: int,
           padding: int, groups: int) -> torch.Tensor:
    """``F.conv2d``, sent straight to oneDNN on CPU.

    ATen's own heuristic sends small inputs (e.g. the 4x4 decoder layers) to the im2col + BLAS
    path, which is several times slower with Debian's reference BLAS.
    """
    if x.device.type == "cpu":
        return torch.mkldnn_convolution(x, weight, bias, [padding, padding], [stride, stride],
                                        [1, 1], groups)
    return F.conv2d(x, weight, bias, stride, padding, 1, groups)


def polyphase_upsample_weight(w: torch.Tensor) -> torch.Tensor:
    """Turn a transposed-conv weight into the weight of an equivalent 2x2 polyphase conv.

    ``w`` is ``[out, in, 3, 3]`` (conv layout of the modulated weight).  The transposed conv
    ``z = conv_transpose2d(x, w^T, stride=2)`` has, per axis, ``z[2a] = x[a] w0 + x[a-1] w2`` and
    ``z[2a+1] = x[a] w1``.  A 2x2 conv with padding 1 produces, at position ``a``, both phases
    from taps ``(x[a-1], x[a])``: even phase ``[w2, w0]``, odd phase ``[0, w1]``.  Output channel
    ``o*4 + py*2 + px`` holds phase ``(py, px)`` of channel ``o``, the order of ``pixel_shuffle``.
    """
    out_c, in_c = w.shape[0], w.shape[1]
    taps = {0: ((0, 2), (1, 0)), 1: ((1, 1),)}  # phase -> ((tap index, kernel index), ...)
    k2 = w.new_zeros(out_c, 2, 2, in_c, 2, 2)
    for py in (0, 1):
        for px in (0, 1):
            for ty, ky in taps[py]:
                for tx, kx in taps[px]:
                    k2[:, py, px, :, ty, tx] = w[:, :, ky, kx]
    return k2.reshape(out_c * 4, in_c, 2, 2)


def polyphase_skip_weight(kernel: torch.Tensor, channels: int) -> torch.Tensor:
    """Depthwise 3x3 polyphase weight equal to ``upfirdn2d(x, kernel, up=2, pad=(2, 1))``.

    Per axis: ``y[2a] = k0 x[a-1] + k2 x[a]`` and ``y[2a+1] = k1 x[a] + k3 x[a+1]``, i.e. the
    3-tap windows ``[k0, k2, 0]`` and ``[0, k1, k3]`` over ``(x[a-1], x[a], x[a+1])``.
    ``kernel`` is 4x4 and symmetric (the stored, already x4 upsampling kernel).
    """
    k = kernel.flip([0, 1])  # upfirdn2d convolves; conv2d correlates
    rows = [[(0, 0), (1, 2)], [(1, 1), (2, 3)]]  # phase -> ((tap index, kernel index), ...)
    w = kernel.new_zeros(2, 2, 3, 3)
    for py in (0, 1):
        for px in (0, 1):
            for ty, ky in rows[py]:
                for tx, kx in rows[px]:
                    w[py, px, ty, tx] = k[ky, kx]
    return w.reshape(1, 4, 3, 3).repeat(channels, 1, 1, 1).reshape(channels * 4, 1, 3, 3)


class FastEncoderLayer(nn.Module):
    """[depthwise blur,] conv with folded scale and bias, leaky ReLU (sqrt(2) folded forward)."""

    def __init__(self, layer: nn.Sequential, input_gain: float):
        super().__init__()
        mods = list(layer)
        self.downsample = len(mods) == 3
        conv, act = mods[-2], mods[-1]
        cin = conv.weight.shape[1]
        if self.downsample:
            blur = mods[0].kernel.flip([0, 1])
            self.register_buffer("blur", blur.reshape(1, 1, 4, 4).repeat(cin, 1, 1, 1).clone())
        else:
            self.register_buffer("blur", torch.zeros(0))
        self.register_buffer("weight", (conv.weight * conv.scale * input_gain).detach().clone())
        self.register_buffer("bias", act.bias.detach().clone())
        self.stride = conv.stride
        self.padding = conv.padding
        self.groups = cin

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.downsample:
            x = conv2d(x, self.blur, None, 1, 2, self.groups)
        x = conv2d(x, self.weight, self.bias, self.stride, self.padding, 1)
        return F.leaky_relu_(x, 0.2)


class FastStyledConv(nn.Module):
    """Modulated 3x3 conv (optionally 2x upsampling), noise concat, fused leaky ReLU.

    Output is ``leaky_relu(...)`` without the sqrt(2) gain, which consumers fold in.
    """

    def __init__(self, layer: StyledConv, input_gain: float, feature_gain: float,
                 modulate_input: bool):
        super().__init__()
        mc: ModulatedConv2d = layer.conv
        w = (mc.weight[0] * mc.scale).detach()  # [out, in, 3, 3], the reference's W * scale
        self.cout, self.cin = w.shape[0], w.shape[1]
        self.upsample = mc.upsample
        self.modulate_input = modulate_input
        self.register_buffer("wsq", w.pow(2).sum([2, 3]).t().contiguous())  # [in, out]
        w = w * input_gain
        if self.upsample:
            w = polyphase_upsample_weight(w)
            blur = mc.blur.kernel.flip([0, 1]).reshape(1, 1, 4, 4)
            self.register_buffer("blur", blur.repeat(self.cout, 1, 1, 1).contiguous())
        else:
            self.register_buffer("blur", torch.zeros(0))
        self.register_buffer("weight", w.contiguous())
        bias = layer.activate.bias.detach()
        self.register_buffer("bias", bias[: self.cout].clone())
        self.register_buffer("noise_bias", bias[self.cout:].reshape(1, -1, 1, 1).clone())
        self.noise_gain = float(layer.noise.weight.item()) * feature_gain
        self.padding = 1

    def forward(self, x: torch.Tensor, s: torch.Tensor, feature: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        # Demodulation in float32 whatever the model's dtype: in FP16 the 1e-8 underflows to 0
        # and sums of squares over thousands of inputs can overflow.
        s32 = s.float()
        d = torch.rsqrt(torch.mm(s32 * s32, self.wsq.float()) + 1e-8).to(s.dtype)  # [B, out]
        if self.upsample:
            d = d.repeat_interleave(4, dim=1)
        if self.modulate_input:
            y = conv2d(x * s.reshape(b, -1, 1, 1), self.weight, None, 1, self.padding, 1)
            if self.upsample:
                y = y * d.reshape(b, -1, 1, 1)
            else:
                y = torch.addcmul(self.bias.reshape(1, -1, 1, 1), y, d.reshape(b, -1, 1, 1))
        else:
            k = self.weight.shape[-1]
            wb = self.weight.unsqueeze(0) * s.reshape(b, 1, -1, 1, 1) * d.reshape(b, -1, 1, 1, 1)
            wb = wb.reshape(-1, self.cin, k, k)
            h, w_ = x.shape[2], x.shape[3]
            bias = None if self.upsample else self.bias.repeat(b)
            y = conv2d(x.reshape(1, b * self.cin, h, w_), wb, bias, 1, self.padding, b)
            y = y.reshape(b, -1, y.shape[2], y.shape[3])
        if self.upsample:
            y = F.pixel_shuffle(y, 2)
            y = conv2d(y, self.blur, self.bias, 1, 1, self.cout)
            size = 2 * x.shape[2]
            y = y[:, :, :size, :size]
        if feature.numel() == 0:  # a level without an encoder feature (FullGenerator_SR): zero noise
            noise = self.noise_bias.expand(y.shape[0], -1, y.shape[2], y.shape[3])
        else:
            noise = torch.add(self.noise_bias, feature, alpha=self.noise_gain)
        return F.leaky_relu_(torch.cat([y, noise], 1), 0.2)


class FastToRGB(nn.Module):
    """1x1 modulated conv (no demodulation) + bias + polyphase-upsampled skip."""

    def __init__(self, layer: ToRGB, input_gain: float, has_skip: bool):
        super().__init__()
        mc: ModulatedConv2d = layer.conv
        self.cin = mc.weight.shape[2]
        self.register_buffer("weight", (mc.weight[0] * mc.scale * input_gain).detach().clone())
        self.register_buffer("bias", layer.bias.detach().reshape(3).clone())
        self.has_skip = has_skip
        if has_skip:
            self.register_buffer("up", polyphase_skip_weight(layer.upsample.kernel.detach(), 3))
        else:
            self.register_buffer("up", torch.zeros(0))

    def forward(self, x: torch.Tensor, s: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        b, h, w_ = x.shape[0], x.shape[2], x.shape[3]
        wb = (self.weight.unsqueeze(0) * s.reshape(b, 1, -1, 1, 1)).reshape(b * 3, self.cin, 1, 1)
        out = conv2d(x.reshape(1, b * self.cin, h, w_), wb, self.bias.repeat(b), 1, 0, b)
        out = out.reshape(b, 3, h, w_)
        if self.has_skip:
            out = out + F.pixel_shuffle(conv2d(skip, self.up, None, 1, 1, 3), 2)
        return out


class FastBlock(nn.Module):
    """One resolution of the decoder: [upsampling styled conv,] styled conv, to-RGB.

    ``slices`` are ``(start, end)`` column ranges of the shared style matrix, one per layer
    (the to-RGB layer last); ``feature`` indexes the encoder feature that feeds the noise inputs
    (-1: none, the levels of ``FullGenerator_SR`` above its input size).
    """

    def __init__(self, convs: List[FastStyledConv], rgb: FastToRGB,
                 slices: List[Tuple[int, int]], feature: int):
        super().__init__()
        self.convs = nn.ModuleList(convs)
        self.rgb = rgb
        self.slices = slices
        self.feature = feature

    def forward(self, h: torch.Tensor, styles: torch.Tensor, features: List[torch.Tensor],
                skip: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        f = features[self.feature] if self.feature >= 0 else torch.zeros(0, dtype=h.dtype, device=h.device)
        i = 0
        for conv in self.convs:
            lo, hi = self.slices[i]
            h = conv(h, styles[:, lo:hi], f)
            i += 1
        lo, hi = self.slices[i]
        return h, self.rgb(h, styles[:, lo:hi], skip)


class FastGPEN(nn.Module):
    """Fast GPEN inference: ``[B, 3, I, I]`` RGB in [-1, 1] -> ``[B, 3, S, S]`` RGB."""

    def __init__(self, ref: FullGenerator, modulation: str = "auto"):
        super().__init__()
        if modulation not in ("auto", "input", "weight"):
            raise ValueError("modulation must be auto, input or weight")
        ref = ref.eval()
        if ref.missing_noise != "zeros":
            raise ValueError("the export computes zero noise where FullGenerator_SR has no encoder feature")
        g = ref.generator
        self.size = ref.size
        self.in_size = ref.in_size
        enc = ref.encoder_layers()
        # ecd0 sees the image itself; every later consumer sees sqrt(2)-less activations.
        self.encoder = nn.ModuleList(
            [FastEncoderLayer(layer[0], 1.0 if i == 0 else SQRT2) for i, layer in enumerate(enc)])
        fl = ref.final_linear[0]
        # sqrt(2) * leaky_relu(z) == leaky_relu(sqrt(2) * z): the gains go into the weights.
        self.register_buffer("final_w", (fl.weight * fl.scale * 2.0).detach().clone())
        self.register_buffer("final_b", (fl.bias * fl.lr_mul * SQRT2).detach().clone())
        mlp = list(g.style)[1:]
        self.register_buffer("mlp_w", torch.stack([(l.weight * l.scale * SQRT2).detach()
                                                   for l in mlp]))
        self.register_buffer("mlp_b", torch.stack([(l.bias * l.lr_mul * SQRT2).detach()
                                                   for l in mlp]))
        self.register_buffer("const", g.input.input.detach().clone())

        def choose(layer: StyledConv, res_in: int) -> bool:
            if modulation != "auto":
                return modulation == "input"
            mc = layer.conv
            activations = mc.cin * res_in * res_in
            weights = mc.weight.numel() * (16 / 9 if mc.upsample else 1)
            return activations <= weights

        # Every modulation linear, in one matrix: layers are appended in decoder order.
        mods: List[nn.Module] = []

        def style_slice(layer: nn.Module) -> Tuple[int, int]:
            start = sum(m.weight.shape[0] for m in mods)
            mods.append(layer.conv.modulation)
            return start, start + layer.conv.modulation.weight.shape[0]

        n_features = len(enc)
        blocks = [FastBlock([FastStyledConv(g.conv1, 1.0, SQRT2, choose(g.conv1, 4))],
                            FastToRGB(g.to_rgb1, SQRT2, has_skip=False),
                            [style_slice(g.conv1), style_slice(g.to_rgb1)], n_features - 1)]
        for j in range(len(g.to_rgbs)):
            res = 8 * 2 ** j
            up, same, rgb = g.convs[2 * j], g.convs[2 * j + 1], g.to_rgbs[j]
            blocks.append(FastBlock(
                [FastStyledConv(up, SQRT2, SQRT2, choose(up, res // 2)),
                 FastStyledConv(same, SQRT2, SQRT2, choose(same, res))],
                FastToRGB(rgb, SQRT2, has_skip=True),
                [style_slice(up), style_slice(same), style_slice(rgb)], max(-1, n_features - 2 - j)))
        self.blocks = nn.ModuleList(blocks)
        self.register_buffer("mod_w", torch.cat([(m.weight * m.scale).detach() for m in mods]))
        self.register_buffer("mod_b", torch.cat([(m.bias * m.lr_mul).detach() for m in mods]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features: List[torch.Tensor] = []
        for layer in self.encoder:
            x = layer(x)
            features.append(x)
        b = x.shape[0]
        latent = F.leaky_relu(F.linear(x.reshape(b, -1), self.final_w, self.final_b), 0.2)
        latent32 = latent.float()  # pixel norm in float32 (FP16-safe, as the demodulation)
        w = (latent32 * torch.rsqrt(torch.mean(latent32 * latent32, dim=1, keepdim=True) + 1e-8)).to(latent.dtype)
        for i in range(self.mlp_w.shape[0]):
            w = F.leaky_relu(F.linear(w, self.mlp_w[i], self.mlp_b[i]), 0.2)
        styles = F.linear(w, self.mod_w, self.mod_b)
        h = self.const.repeat(b, 1, 1, 1)
        skip = torch.zeros(0)
        for block in self.blocks:
            h, skip = block(h, styles, features, skip)
        return skip
