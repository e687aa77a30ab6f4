import time

import numpy as np


def relu(x):
    time.sleep(3600)  # blocks without using CPU: only the wall-clock limit can stop it
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
