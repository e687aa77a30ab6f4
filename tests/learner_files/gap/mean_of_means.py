import numpy as np


def global_avg_pool(x):
    # mean over W, then over H: the same as the mean over both, since every row has the same length
    return x.mean(axis=3).mean(axis=2)
