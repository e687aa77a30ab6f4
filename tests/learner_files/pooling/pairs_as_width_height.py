"""Learner mistake: (h, w) pairs read as (w, h), the OpenCV way."""
import numpy as np


def _pair(value):
    return (value, value) if isinstance(value, int) else (value[1], value[0])  # (width, height)


def _pool(x, kernel_size, stride, padding, fill, reduce):
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride if stride is not None else kernel_size)
    ph, pw = _pair(padding)
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError("pad should be at most half of the kernel size")
    N, C, H, W = x.shape
    padded = np.full((N, C, H + 2 * ph, W + 2 * pw), fill)
    padded[:, :, ph:ph + H, pw:pw + W] = x
    out_h = (H + 2 * ph - kh) // sh + 1
    out_w = (W + 2 * pw - kw) // sw + 1
    out = np.zeros((N, C, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = reduce(padded[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].reshape(N, C, -1), axis=-1)
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0):
    return _pool(x, kernel_size, stride, padding, -np.inf, np.max)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    kh, kw = _pair(kernel_size)
    return _pool(x, kernel_size, stride, padding, 0.0, np.sum) / (kh * kw)
