import numpy as np
import scipy_not_installed_anywhere


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
