"""Learner mistake: float32 arithmetic."""

import numpy as np


def maxout(x, weight, bias):
    z = x.astype(np.float32) @ weight.astype(np.float32) + bias.astype(np.float32)[:, None, :]
    return z.max(axis=0)
