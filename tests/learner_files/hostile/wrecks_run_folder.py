"""Deletes and rewrites everything in dlquiz's run folder, then answers wrongly."""
import os
import shutil
import sys

import numpy as np

folder = os.path.dirname(sys.argv[1])  # child.py's first argument: the job file in the run folder
for name in os.listdir(folder):
    path = os.path.join(folder, name)
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        os.remove(path)
    with open(path, "wb") as handle:
        handle.write(b"\x00" * 1000)


def relu(x):
    return np.zeros_like(x)


def relu_grad(x):
    return np.zeros_like(x)
