"""Learner mistake: np.pad(x, padding) pads N and C as well as H and W."""

import numpy as np


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _pool(x, kernel_size, stride, padding, fill, reduce):
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride if stride is not None else kernel_size)
    ph, pw = _pair(padding)
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError("pad should be at most half of the kernel size")
    padded = np.pad(x, padding, constant_values=fill)
    N, C, Hp, Wp = padded.shape
    out_h = (Hp - kh) // sh + 1
    out_w = (Wp - kw) // sw + 1
    out = np.zeros((N, C, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = reduce(padded[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw], axis=(2, 3))
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0):
    return _pool(x, kernel_size, stride, padding, -np.inf, np.max)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    return _pool(x, kernel_size, stride, padding, 0.0, np.mean)
