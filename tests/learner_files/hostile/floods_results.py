"""From the hardening issue: 2 GiB appended to the results channel made dlquiz itself take 2.3 GB."""
import os
import sys

import numpy as np

# child.py's second argument is where its result frames go (a pipe's descriptor, or a file on Windows).
target = sys.argv[2]
handle = os.fdopen(int(target), "wb", buffering=0, closefd=False) if target.isdigit() else open(target, "ab")
chunk = b"\xff" * 2**20
for _ in range(2048):
    handle.write(chunk)


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
