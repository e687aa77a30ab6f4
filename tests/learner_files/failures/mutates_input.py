import numpy as np


def relu(x):
    x[x < 0] = 0.0  # changes the caller's array
    return x.copy()  # a copy, so the only fault is the mutation (returning x itself is returns_input.py)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
