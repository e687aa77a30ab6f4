"""A correct backward pass written differently: step by step back through the forward graph (cs231n style)."""

import numpy as np


def batchnorm_backward(grad_out, x, gamma, eps=1e-5):
    # Move the channel axis last and flatten: rows are the values of one channel's batch.
    C = x.shape[1]
    moved = np.moveaxis(x, 1, -1)  # (N, ..., C)
    rows = moved.reshape(-1, C)  # (n, C)
    dout = np.moveaxis(grad_out, 1, -1).reshape(-1, C)  # (n, C)
    n = rows.shape[0]

    mu = rows.sum(axis=0) / n
    xmu = rows - mu
    var = (xmu ** 2).sum(axis=0) / n
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar

    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    divar = (dxhat * xmu).sum(axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -divar / sqrtvar ** 2
    dvar = 0.5 * dsqrtvar / sqrtvar
    dsq = np.ones_like(rows) * dvar / n
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -dx1.sum(axis=0)
    dx2 = np.ones_like(rows) * dmu / n
    dx = (dx1 + dx2).reshape(moved.shape)
    return np.moveaxis(dx, -1, 1), dgamma, dbeta
