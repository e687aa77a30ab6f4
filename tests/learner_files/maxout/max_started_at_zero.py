"""Learner mistake: a running maximum that starts at zero."""

import numpy as np


def maxout(x, weight, bias):
    out = np.zeros((x.shape[0], weight.shape[2]))
    for k in range(weight.shape[0]):
        out = np.maximum(out, x @ weight[k] + bias[k])
    return out
