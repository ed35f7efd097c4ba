"""Seeded random weights for convolution + batch-norm networks (test models)."""

import torch
from torch import nn


def randomize_conv_bn_(model: nn.Module, seed: int) -> nn.Module:
    """Fills every parameter and batch-norm statistic with seeded random values: He-scaled
    weights, small biases and means, scales near 1, variances in [0.5, 1.5)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var"):
                t.copy_(0.5 + torch.rand(t.shape, generator=gen))
            elif name.endswith("running_mean") or name.endswith("bias"):
                t.copy_(0.1 * torch.randn(t.shape, generator=gen))
            elif t.dim() == 1:  # batch-norm scale
                t.copy_(1.0 + 0.1 * torch.randn(t.shape, generator=gen))
            else:
                fan_in = t[0].numel()
                t.copy_(torch.randn(t.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
    return model
