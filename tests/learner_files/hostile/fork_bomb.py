"""Forks until the process limit refuses (at most 2**7 processes, to be kind to the machine); they all sleep."""
import os

import numpy as np

original = os.getpid()
for _ in range(7):
    try:
        os.fork()
    except OSError:
        print("fork refused", flush=True)
        break
if os.getpid() != original:  # every copy but the first becomes a sleeper a test can find by its argument
    os.execvp("sleep", ["sleep", os.environ.get("DLQUIZ_TEST_SLEEP", "600")])


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
