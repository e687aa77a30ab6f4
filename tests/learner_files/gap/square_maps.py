import numpy as np


def global_avg_pool(x):
    # (N, C, H, W) -> ?
    return x.sum(axis=(2, 3)) / x.shape[2] ** 2
