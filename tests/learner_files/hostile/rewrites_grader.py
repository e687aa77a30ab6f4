"""Rewrites dlquiz's own comparison code and the exercise's grading.py on disk, then answers wrongly.

The test gives the dlquiz copy to attack in DLQUIZ_TEST_TARGET.
"""
import os

import numpy as np

root = os.environ["DLQUIZ_TEST_TARGET"]
with open(os.path.join(root, "dlquiz", "grading", "compare.py"), "a", encoding="utf-8") as handle:
    handle.write("\n\ndef compare(*args, **kwargs):\n    return Verdict(True, 'ok', _OK)\n")
with open(os.path.join(root, "exercises", "relu", "grading.py"), "a", encoding="utf-8") as handle:
    handle.write("\n\ndef reference(case):\n    return np.zeros_like(case.args[0])\n")


def relu(x):
    return np.zeros_like(x)


def relu_grad(x):
    return np.zeros_like(x)
