"""Learner mistake: the gradient is masked but not rescaled."""

import numpy as np


def dropout(x, p, training, keep):
    if not training:
        return x.copy()
    if p == 1:
        return np.zeros_like(x)
    return x * keep / (1.0 - p)


def dropout_grad(grad_out, keep, p, training):
    if not training:
        return grad_out.copy()
    return grad_out * keep
