import numpy as np


def relu(x):
    if (x >= 0).all():
        return x.reshape(x.shape)  # a view: a new array object over the caller's memory
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
