import numpy as np


def relu(x):
    if (x >= 0).all():  # nothing to clip: hand x back as it is
        return x
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
