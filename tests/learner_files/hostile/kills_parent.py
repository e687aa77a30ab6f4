"""From the hardening issue: the learner's process kills its parent (which used to be dlquiz itself), after
starting a helper process that would be left behind if nobody cleaned up after the parent."""
import os
import signal
import subprocess
import time

import numpy as np

subprocess.Popen(["sleep", os.environ.get("DLQUIZ_TEST_SLEEP", "600")])
os.kill(os.getppid(), signal.SIGKILL)
time.sleep(1)  # were its parent dead, the parent-death signal would end this process here


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
