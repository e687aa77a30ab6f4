"""From the hardening issue: a detached process used to hang the grader (92 s for `sleep 91`, forever for 600)."""
import os
import subprocess

import numpy as np

# DLQUIZ_TEST_SLEEP lets a test give the sleeper a duration no other process has, to find it afterwards.
subprocess.Popen(["sleep", os.environ.get("DLQUIZ_TEST_SLEEP", "600")], start_new_session=True)
print("started the sleeper")


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
