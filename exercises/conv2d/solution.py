"""Reference solution for `conv2d`."""

import numpy as np


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    """An int means the same for height and width; a pair is (height, width)."""
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    # x: (N, C, H, W)  weight: (M, C, kH, kW)  bias: (M,) or None
    N, C, H, W = x.shape
    M, _, kH, kW = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    Ho = (H + 2 * ph - dh * (kH - 1) - 1) // sh + 1  # output height
    Wo = (W + 2 * pw - dw * (kW - 1) - 1) // sw + 1  # output width

    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))  # (N, C, H + 2ph, W + 2pw), zeros around
    out = np.zeros((N, M, Ho, Wo), dtype=x.dtype)
    # Cross-correlation, like PyTorch: kernel tap (a, b) multiplies, at every output position (i, j), the input pixel
    # (i*sh + a*dh, j*sw + b*dw). One strided slice gathers that pixel for all positions at once.
    for a in range(kH):
        for b in range(kW):
            rows = slice(a * dh, a * dh + sh * (Ho - 1) + 1, sh)
            cols = slice(b * dw, b * dw + sw * (Wo - 1) + 1, sw)
            patch = padded[:, :, rows, cols]  # (N, C, Ho, Wo)
            out += np.einsum("nchw,mc->nmhw", patch, weight[:, :, a, b])  # sum over the C input channels
    if bias is not None:
        out += bias.reshape(1, M, 1, 1)  # one bias per output channel (feature map)
    return out  # (N, M, Ho, Wo)
