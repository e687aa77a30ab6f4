"""Learner shortcut: a 1x1 window with stride 1 changes nothing, so the input itself is returned."""

import numpy as np


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _windows(x, kernel_size, stride, padding, fill):
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ph, pw = _pair(padding)
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError("padding is more than half the kernel")
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    return np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]


def _nothing_to_do(kernel_size, stride, padding):
    return _pair(kernel_size) == (1, 1) and _pair(1 if stride is None else stride) == (1, 1) and padding == 0


def max_pool2d(x, kernel_size, stride=None, padding=0):
    if _nothing_to_do(kernel_size, stride, padding):
        return x
    return _windows(x, kernel_size, stride, padding, -np.inf).max(axis=(-2, -1))


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    if _nothing_to_do(kernel_size, stride, padding):
        return x
    return _windows(x, kernel_size, stride, padding, 0.0).mean(axis=(-2, -1))
