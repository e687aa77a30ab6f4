import ctypes

import numpy as np


def relu(x):
    ctypes.string_at(0)  # reads address 0: the process dies with SIGSEGV
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
