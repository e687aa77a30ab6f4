"""From the hardening issue: the learner's process kills its parent (which used to be dlquiz itself)."""
import os
import signal

import numpy as np

os.kill(os.getppid(), signal.SIGKILL)


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
