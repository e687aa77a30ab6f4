"""dlquiz exercise `maxout`: the maxout unit, in numpy.

Grade this file with `dlquiz exercise maxout` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""

import numpy as np


def maxout(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The elementwise maximum of K linear pieces.

    x:      (N, D) float64 — N samples of D features
    weight: (K, D, M) float64 — K pieces, each a (D, M) matrix
    bias:   (K, M) float64 — one bias vector per piece
    returns: (N, M) float64 — out[n, m] = max over k of (x[n] @ weight[k] + bias[k])[m]; inputs left unchanged
    """
    # TODO: the K linear pieces, piece k = x @ weight[k] + bias[k]  # (K, N, M)
    # TODO: the maximum over the pieces  # (N, M)
    raise NotImplementedError("maxout is not written yet")
