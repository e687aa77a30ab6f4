import numpy as np


def relu(x):
    return float(np.maximum(x, 0.0).sum())


def relu_grad(x):
    return (x > 0).astype(x.dtype)
