import numpy as np


def relu(x):
    return np.minimum(np.maximum(x, 0.0), 6.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
