import numpy as np


def relu(x):
    if (x >= 0).all():
        return x[...]  # nothing to clip: hands back a view of the caller's array
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
