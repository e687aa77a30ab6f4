"""Learner mistake: the gradient flowing back to x is not scaled by gamma."""

import numpy as np


def batchnorm_backward(grad_out, x, gamma, eps=1e-5):
    C = x.shape[1]
    axes = tuple(i for i in range(x.ndim) if i != 1)
    shape = [1] * x.ndim
    shape[1] = C
    n = x.size // C
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    std = np.sqrt(var + eps)
    x_hat = (x - mean) / std
    grad_beta = grad_out.sum(axis=axes)
    grad_gamma = (grad_out * x_hat).sum(axis=axes)
    g = grad_out
    grad_x = (n * g - g.sum(axis=axes, keepdims=True) - x_hat * (g * x_hat).sum(axis=axes, keepdims=True)) / (n * std)
    return grad_x, grad_gamma, grad_beta
