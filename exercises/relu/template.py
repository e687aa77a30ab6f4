"""dlquiz exercise `relu`: ReLU and its gradient, in numpy.

Grade this file with `dlquiz exercise relu` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0), elementwise.

    x: float64 array of any shape, e.g. (N, C, H, W)
    returns: a new array with the same shape and dtype as x (leave x unchanged)
    """
    # TODO: keep the positive values of x and put 0 everywhere else.
    raise NotImplementedError("relu is not written yet")


def relu_grad(x: np.ndarray) -> np.ndarray:
    """d relu(x) / dx, elementwise, exactly as PyTorch's autograd gives it.

    x: float64 array of any shape
    returns: same shape and dtype as x — 1.0 where x > 0, else 0.0 (also 0.0 at x == 0)
    """
    # TODO: 1 where x is positive, 0 elsewhere; mind the dtype.
    raise NotImplementedError("relu_grad is not written yet")
