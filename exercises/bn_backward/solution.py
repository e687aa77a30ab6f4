"""Reference solution for `bn_backward`."""

import numpy as np


def batchnorm_backward(grad_out, x, gamma, eps=1e-5):
    # grad_out, x: (N, C), (N, C, L) or (N, C, H, W); gamma: (C,)
    C = x.shape[1]
    axes = (0,) + tuple(range(2, x.ndim))  # every axis except the channel axis
    shape = (1, C) + (1,) * (x.ndim - 2)  # (1, C, 1, 1): lines a (C,) vector up with the channel axis

    # The forward pass again: batch statistics per channel, biased variance (divides by n).
    mean = x.mean(axis=axes, keepdims=True)  # (1, C, 1, 1)
    var = x.var(axis=axes, keepdims=True)  # (1, C, 1, 1)
    inv_std = 1.0 / np.sqrt(var + eps)  # (1, C, 1, 1)
    x_hat = (x - mean) * inv_std  # same shape as x

    # out = gamma * x_hat + beta
    grad_beta = grad_out.sum(axis=axes)  # (C,)
    grad_gamma = (grad_out * x_hat).sum(axis=axes)  # (C,)

    # x reaches x_hat three ways: directly, through the mean and through the variance. Summing the three paths
    # gives, per channel (the means are over the n values of that channel):
    #   grad_x = inv_std * (g - mean(g) - x_hat * mean(g * x_hat)),  with g = dL/dx_hat = grad_out * gamma
    g = grad_out * gamma.reshape(shape)  # same shape as x
    grad_x = inv_std * (g - g.mean(axis=axes, keepdims=True) - x_hat * (g * x_hat).mean(axis=axes, keepdims=True))
    return grad_x, grad_gamma, grad_beta
