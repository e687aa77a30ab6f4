"""Learner mistake: weight flattened for im2col with `weight.shape = ...`, which reshapes the caller's array."""

import numpy as np


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    N, C, H, W = x.shape
    M, _, kH, kW = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    Ho = (H + 2 * ph - dh * (kH - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw * (kW - 1) - 1) // sw + 1
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    columns = np.empty((N, C, kH, kW, Ho, Wo))
    for a in range(kH):
        for b in range(kW):
            rows = slice(a * dh, a * dh + sh * (Ho - 1) + 1, sh)
            cols = slice(b * dw, b * dw + sw * (Wo - 1) + 1, sw)
            columns[:, :, a, b] = xp[:, :, rows, cols]
    weight.shape = (M, C * kH * kW)  # no copy, but the caller's array changes shape
    out = np.einsum("mk,nkhw->nmhw", weight, columns.reshape(N, C * kH * kW, Ho, Wo))
    if bias is not None:
        out = out + bias.reshape(1, M, 1, 1)
    return out
