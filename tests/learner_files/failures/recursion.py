import numpy as np


def relu(x):
    return relu(np.maximum(x, 0.0))  # calls itself forever


def relu_grad(x):
    return (x > 0).astype(x.dtype)
