import numpy as np


def relu(x):
    threshold = float(input("threshold? "))
    return np.maximum(x, threshold)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
