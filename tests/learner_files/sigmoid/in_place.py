"""Learner mistake: the result is written into x's own memory."""

import numpy as np


def sigmoid(x):
    e = np.exp(-np.abs(x))
    positive = x >= 0
    x[positive] = 1.0 / (1.0 + e[positive])  # overwrites the caller's array
    x[~positive] = e[~positive] / (1.0 + e[~positive])
    return x


def sigmoid_grad(x):
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return s * (1.0 - s)


def chain_gradient(x, weights):
    a, gradient = x, 1.0
    for w in weights:
        a = float(sigmoid(np.array(w * a)))
        gradient *= w * a * (1.0 - a)
    return float(gradient)
