"""Returns the caller's own array whenever it is already non-negative: right values, but not a new result."""
import numpy as np


def relu(x):
    if (x >= 0).all():
        return x
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
