"""dlquiz exercise `gap`: global average pooling, in numpy.

Grade this file with `dlquiz exercise gap` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""

import numpy as np


def global_avg_pool(x: np.ndarray) -> np.ndarray:
    """The mean of every feature map.

    x:       (N, C, H, W) float64 — N samples, C feature maps of H x W pixels each
    returns: (N, C) float64 — out[n, c] is the mean of all H * W pixels of x[n, c]; x is left unchanged
    """
    # TODO: average over the spatial axes, keep the sample and channel axes.
    raise NotImplementedError("global_avg_pool is not written yet")
