"""dlquiz exercise `pooling`: max pooling and average pooling, in numpy.

Grade this file with `dlquiz exercise pooling` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """The largest value of each window, as torch.nn.functional.max_pool2d computes it.

    x:           (N, C, H, W) float64
    kernel_size: int k (a k x k window) or a pair (kh, kw)
    stride:      int or (sh, sw); None means stride = kernel_size (windows side by side)
    padding:     int or (ph, pw): added on both sides of H and of W, filled with -inf
    returns:     (N, C, out_h, out_w) float64, out_h = floor((H + 2*ph - kh) / sh) + 1 (likewise out_w);
                 x is left unchanged
    raises:      ValueError when ph > kh // 2 or pw > kw // 2 (PyTorch refuses such padding)
    """
    # x: (N, C, H, W)
    # TODO: turn kernel_size, stride and padding into (h, w) pairs; stride None -> kernel_size
    # TODO: raise ValueError if the padding is more than half the kernel on either axis
    # TODO: pad H and W only (not N and C) with -inf
    # TODO: out[n, c, i, j] = max of the padded window starting at row i*sh, column j*sw  # (N, C, out_h, out_w)
    raise NotImplementedError("max_pool2d is not written yet")


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """The mean of each window, as torch.nn.functional.avg_pool2d computes it (count_include_pad=True).

    Same arguments, output shape and ValueError as max_pool2d, but the padding is zeros and the padded zeros
    count in the average: every window is divided by kh * kw.
    """
    # x: (N, C, H, W)
    # TODO: the same windows as max_pool2d, padded with 0.0
    # TODO: out[n, c, i, j] = sum of the window / (kh * kw)  # (N, C, out_h, out_w)
    raise NotImplementedError("avg_pool2d is not written yet")
