import numpy as np


def global_avg_pool(x):
    # (N, C, H, W) -> ?
    return x.reshape(x.shape[0], -1).mean(axis=1)
