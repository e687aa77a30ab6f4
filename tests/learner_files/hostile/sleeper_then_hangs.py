"""Starts a detached process, then never returns from relu: used while dlquiz itself is killed mid-grading."""
import os
import subprocess
import time

import numpy as np

subprocess.Popen(["sleep", os.environ.get("DLQUIZ_TEST_SLEEP", "600")], start_new_session=True)


def relu(x):
    time.sleep(3600)
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
