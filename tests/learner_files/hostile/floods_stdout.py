"""Writes 256 MiB to each of file descriptors 1 and 2, past Python's buffers, then answers correctly."""
import os

import numpy as np

chunk = b"x" * 2**20
for _ in range(256):
    os.write(1, chunk)
    os.write(2, chunk)


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
