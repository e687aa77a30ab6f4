import numpy as np


def relu(x):
    return np.where(x > 0, x, 0.01 * x)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
