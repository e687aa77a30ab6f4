"""Learner mistake: a * (1 - a) applied to the input instead of the output."""

import numpy as np


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    return x * (1.0 - x)


def chain_gradient(x, weights):
    a, gradient = x, 1.0
    for w in weights:
        a = float(sigmoid(np.array(w * a)))
        gradient *= w * a * (1.0 - a)
    return float(gradient)
