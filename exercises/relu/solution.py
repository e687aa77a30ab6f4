"""Reference solution for `relu`."""

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    # x: any shape -> same shape. np.maximum builds a new array, so x is left untouched.
    return np.maximum(x, 0.0)


def relu_grad(x: np.ndarray) -> np.ndarray:
    # Strict x > 0: autograd defines the derivative at exactly 0 as 0.
    # The comparison gives bools; the gradient has x's dtype.
    return (x > 0).astype(x.dtype)
