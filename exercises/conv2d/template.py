"""dlquiz exercise `conv2d`: a 2-D convolution layer's forward pass, in numpy.

Grade this file with `dlquiz exercise conv2d` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""

import numpy as np


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """torch.nn.functional.conv2d(x, weight, bias, stride, padding, dilation), in numpy.

    x:        (N, C, H, W) float64 — N images of C feature maps
    weight:   (M, C, kH, kW) float64 — M kernels, each looking at all C input maps
    bias:     (M,) float64, or None — one number per output map
    stride, padding, dilation: an int (the same for height and width) or an (h, w) tuple
    returns:  (N, M, Ho, Wo) float64, zero padding; the inputs are left unchanged
    """
    # TODO: (sh, sw), (ph, pw), (dh, dw) from stride, padding, dilation
    # TODO: Ho, Wo  # the output size
    # TODO: pad x with zeros  # (N, C, H + 2ph, W + 2pw)
    # TODO: out[n, m, i, j] = sum over c, a, b of padded[n, c, i*sh + a*dh, j*sw + b*dw] * weight[m, c, a, b]
    # TODO: add the bias per output channel  # (N, M, Ho, Wo)
    raise NotImplementedError("conv2d is not written yet")
