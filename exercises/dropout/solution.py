"""Reference solution for `dropout`."""

import numpy as np


def dropout(x: np.ndarray, p: float, training: bool, keep: np.ndarray) -> np.ndarray:
    # x: (...)  keep: same shape as x, bool, True = kept
    if not training:
        return x.copy()  # evaluation: the identity, as a new array
    if p == 1:
        return np.zeros_like(x)  # every unit dropped (and 1 / (1 - p) would divide by zero)
    # Inverted dropout: kept units are scaled up by 1 / (1 - p), so the expected output is x itself.
    return x * keep / (1.0 - p)  # (...) the bool mask multiplies as 0 / 1


def dropout_grad(grad_out: np.ndarray, keep: np.ndarray, p: float, training: bool) -> np.ndarray:
    # grad_out: (...) the gradient of the loss w.r.t. dropout's output;  keep: same shape, bool
    # out = x * keep / (1 - p) is linear in x, so d loss / d x = grad_out * keep / (1 - p).
    if not training:
        return grad_out.copy()  # the identity passes the gradient through
    if p == 1:
        return np.zeros_like(grad_out)  # nothing reached the output, so nothing flows back
    return grad_out * keep / (1.0 - p)  # (...)
