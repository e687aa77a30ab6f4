"""Learner mistake: statistics over axis 0 only, as for 2-D input."""

import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    # x: (N, C), (N, C, L) or (N, C, H, W); gamma, beta, running_mean, running_var: (C,)
    C = x.shape[1]
    axes = 0  # the batch axis, as for (N, C) input
    shape = (1, C) + (1,) * (x.ndim - 2)  # (1, C, 1, 1): lines a (C,) vector up with the channel axis

    if training:
        mean = x.mean(axis=axes)  # (C,)
        var = x.var(axis=axes)  # (C,) biased: divides by n, used to normalise
        n = x.size // C  # values per channel: N * L or N * H * W
        unbiased_var = var * n / (n - 1)  # (C,) divides by n - 1, stored in the running average
        new_running_mean = (1 - momentum) * running_mean + momentum * mean  # (C,)
        new_running_var = (1 - momentum) * running_var + momentum * unbiased_var  # (C,)
    else:
        mean = running_mean  # (C,)
        var = running_var  # (C,)
        new_running_mean = running_mean.copy()  # (C,) unchanged
        new_running_var = running_var.copy()  # (C,) unchanged

    x_hat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)  # same shape as x
    out = gamma.reshape(shape) * x_hat + beta.reshape(shape)  # same shape as x
    return out, new_running_mean, new_running_var
