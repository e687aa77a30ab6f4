"""Learner mistake: spatial input flattened with x.reshape(-1, C), which does not group values by channel."""

import numpy as np


def _batchnorm_2d(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    # x: (N, C)
    if training:
        n = x.shape[0]
        mean = x.mean(axis=0)
        var = x.var(axis=0)
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean.copy(), running_var.copy()
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var


def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    C = x.shape[1]
    flat = x.reshape(-1, C)  # (N*H*W, C) -- but without moving the channel axis last first
    out, new_mean, new_var = _batchnorm_2d(flat, gamma, beta, running_mean, running_var, training, momentum, eps)
    return out.reshape(x.shape), new_mean, new_var
