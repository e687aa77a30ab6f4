"""Learner mistake: (h, w) pairs read as (width, height), like PIL sizes."""

import numpy as np


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    N, C, H, W = x.shape
    M, _, kH, kW = weight.shape
    sw, sh = pair(stride)  # (width, height)
    pw, ph = pair(padding)
    dw, dh = pair(dilation)
    Ho = (H + 2 * ph - dh * (kH - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw * (kW - 1) - 1) // sw + 1
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, M, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = xp[:, :, i * sh: i * sh + dh * (kH - 1) + 1: dh, j * sw: j * sw + dw * (kW - 1) + 1: dw]
            out[:, :, i, j] = np.tensordot(window, weight, axes=([1, 2, 3], [1, 2, 3]))  # (N, M)
    if bias is not None:
        out += bias[None, :, None, None]
    return out
