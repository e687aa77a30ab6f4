import numpy as np


def relu(x):
    return np.abs(x)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
