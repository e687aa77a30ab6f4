import numpy as np


def relu(x):
    out = np.zeros_like(x)
    i = 0
    while i < x.size:  # forgot i += 1
        out.flat[i] = max(x.flat[i], 0.0)
    return out


def relu_grad(x):
    return (x > 0).astype(x.dtype)
