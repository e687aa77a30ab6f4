"""Reference solution for `maxout`."""

import numpy as np


def maxout(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    # x: (N, D)  weight: (K, D, M)  bias: (K, M)
    # x @ weight multiplies x by every piece's (D, M) matrix at once (matmul broadcasts over weight's axis 0).
    pieces = x @ weight + bias[:, None, :]  # (K, N, M): piece k is x @ weight[k] + bias[k]
    return pieces.max(axis=0)  # (N, M): the largest piece, unit by unit
