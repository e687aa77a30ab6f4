import numpy as np


def relu(x):
    # broadcasting (n, 1) against (1, n) by mistake: a (3000, 3000) float64 array is 72 MB
    flat = np.resize(np.maximum(x, 0.0).ravel(), 3000)
    return flat[:, None] * np.ones((1, 3000))


def relu_grad(x):
    return (x > 0).astype(x.dtype)
