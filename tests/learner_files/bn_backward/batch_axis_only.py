"""Learner mistake: the (N, C) backward pass, reducing over axis 0 only, applied to every input."""

import numpy as np


def batchnorm_backward(grad_out, x, gamma, eps=1e-5):
    N = x.shape[0]
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    std = np.sqrt(var + eps)
    x_hat = (x - mean) / std
    grad_beta = grad_out.sum(axis=0)
    grad_gamma = (grad_out * x_hat).sum(axis=0)
    g = grad_out * gamma.reshape((1, -1) + (1,) * (x.ndim - 2))
    grad_x = (N * g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0)) / (N * std)
    return grad_x, grad_gamma, grad_beta
