"""Learner mistake: the forward pass's output returned instead of the derivative."""

import numpy as np


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def chain_gradient(x, weights):
    a = x
    for w in weights:
        a = float(sigmoid(np.array(w * a)))
    return a
