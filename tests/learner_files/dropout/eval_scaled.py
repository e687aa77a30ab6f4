"""Learner mistake: the original paper's test-time scaling on top of inverted dropout."""

import numpy as np


def dropout(x, p, training, keep):
    if training:
        if p == 1:
            return np.zeros_like(x)
        return x * keep / (1 - p)
    return x * (1 - p)  # "at test time, scale by the keep probability"


def dropout_grad(grad_out, keep, p, training):
    if not training:
        return grad_out.copy()
    if p == 1:
        return np.zeros_like(grad_out)
    return grad_out * keep / (1.0 - p)
