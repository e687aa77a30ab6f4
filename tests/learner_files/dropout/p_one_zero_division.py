"""Learner mistake: p = 1 not handled: the scale divides Python floats by zero."""

import numpy as np


def dropout(x, p, training, keep):
    if not training:
        return x.copy()
    scale = 1 / (1 - p)
    return x * keep * scale


def dropout_grad(grad_out, keep, p, training):
    if not training:
        return grad_out.copy()
    if p == 1:
        return np.zeros_like(grad_out)
    return grad_out * keep / (1.0 - p)
