import numpy as np


def global_avg_pool(x):
    # (N, C, H, W) -> ?
    return x.mean(axis=(0, 1))
