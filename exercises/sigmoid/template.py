"""dlquiz exercise `sigmoid`: sigmoid, its gradient, and the gradient through a chain of sigmoids, in numpy.

Grade this file with `dlquiz exercise sigmoid` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), elementwise, as torch.sigmoid computes it.

    x: float64 array of any shape, e.g. (N, C, H, W); |x| can be as large as 1e4
    returns: a new array with the same shape and dtype as x, values in [0, 1]
    """
    # TODO: x: (...) -> (...). Without overflow: numpy must not warn for any x (exp(1e4) is inf).
    raise NotImplementedError("sigmoid is not written yet")


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """d sigmoid(x) / dx, elementwise, as PyTorch's autograd gives it.

    x: float64 array of any shape
    returns: same shape and dtype as x, values in [0, 0.25]
    """
    # TODO: x: (...) -> (...). The derivative is easiest to write with sigmoid's output.
    raise NotImplementedError("sigmoid_grad is not written yet")


def chain_gradient(x: float, weights: np.ndarray) -> float:
    """d a_L / d x for a chain of L one-unit sigmoid layers, as autograd gives it.

    x: a float, the input a_0
    weights: (L,) float64; layer i computes a_i = sigmoid(weights[i-1] * a_{i-1})
    returns: a Python float
    """
    # TODO: forward: a_0 = x, z_i = w_i * a_{i-1}, a_i = sigmoid(z_i)   # one number per layer
    # TODO: chain rule: multiply the local derivatives d a_i / d a_{i-1} of every layer
    raise NotImplementedError("chain_gradient is not written yet")
