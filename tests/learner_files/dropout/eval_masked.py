"""Learner mistake: the training flag is ignored."""

import numpy as np


def dropout(x, p, training, keep):
    if p == 1:
        return np.zeros_like(x)
    return x * keep / (1 - p)


def dropout_grad(grad_out, keep, p, training):
    if not training:
        return grad_out.copy()
    if p == 1:
        return np.zeros_like(grad_out)
    return grad_out * keep / (1.0 - p)
