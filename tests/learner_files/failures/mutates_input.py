import numpy as np


def relu(x):
    x[x < 0] = 0.0  # changes the caller's array
    return x


def relu_grad(x):
    return (x > 0).astype(x.dtype)
