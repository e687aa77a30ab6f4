"""Correct, written differently: np.where and a precomputed scale."""

import numpy as np


def dropout(x, p, training, keep):
    if not training:
        return np.array(x, copy=True)
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    return np.where(keep, x * scale, 0.0)


def dropout_grad(grad_out, keep, p, training):
    # the backward of a linear map is the same map: dropout's own formula applied to grad_out
    return dropout(grad_out, p, training, keep)
