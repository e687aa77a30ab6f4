import numpy as np


def global_avg_pool(x):
    n, c, h, w = x.shape
    x /= h * w  # divides the caller's array
    return x.sum(axis=(2, 3))
