"""Stops its parent with SIGSTOP, then never returns: the time limit must still hold."""
import os
import signal
import time

import numpy as np

os.kill(os.getppid(), signal.SIGSTOP)


def relu(x):
    time.sleep(3600)
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
