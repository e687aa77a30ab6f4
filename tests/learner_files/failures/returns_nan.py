import numpy as np


def relu(x):
    return (x + np.abs(x)) / 2


def relu_grad(x):
    # d relu / dx as relu(x) / x: 0/0 = NaN where x == 0
    return ((x + np.abs(x)) / 2) / x
