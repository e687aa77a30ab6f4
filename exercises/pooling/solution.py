"""Reference solution for `pooling`."""

import numpy as np


def _pair(value):
    """An int or an (h, w) pair -> (h, w)."""
    if np.ndim(value) == 0:
        return int(value), int(value)
    h, w = value
    return int(h), int(w)


def _windows(x, kernel_size, stride, padding, fill):
    """Every pooling window of x: (N, C, out_h, out_w, kh, kw), padded with `fill`."""
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)  # stride None: windows side by side
    ph, pw = _pair(padding)
    if ph > kh // 2 or pw > kw // 2:  # PyTorch's rule: a window may never lie mostly in the padding
        raise ValueError(f"padding {(ph, pw)} is more than half the kernel {(kh, kw)}")
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)  # (N, C, H + 2ph, W + 2pw)
    every = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))  # (N, C, Hp-kh+1, Wp-kw+1, kh, kw)
    # Every sh-th start: floor((Hp - kh) / sh) + 1 windows, so a last window that would not fit is dropped (floor mode).
    return every[:, :, ::sh, ::sw]  # (N, C, out_h, out_w, kh, kw)


def max_pool2d(x, kernel_size, stride=None, padding=0):
    # x: (N, C, H, W) -> (N, C, out_h, out_w); padding is -inf, so it never wins the max
    return _windows(x, kernel_size, stride, padding, -np.inf).max(axis=(-2, -1))


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    # x: (N, C, H, W) -> (N, C, out_h, out_w); padded zeros count: every window is divided by kh * kw
    return _windows(x, kernel_size, stride, padding, 0.0).mean(axis=(-2, -1))
