import numpy as np


def relu(x):
    # exp(x) >= 1 exactly when x >= 0 -- but exp(1e300) overflows to inf on the way
    return np.where(np.exp(x) >= 1.0, x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
