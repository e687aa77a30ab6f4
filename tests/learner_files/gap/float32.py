import numpy as np


def global_avg_pool(x):
    return x.astype(np.float32).mean(axis=(2, 3))
