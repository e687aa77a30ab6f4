"""Learner mistake: the derivative written with exp(-x), which is inf / inf for x = -1e4."""

import numpy as np


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    e = np.exp(-x)
    return e / (1.0 + e) ** 2


def chain_gradient(x, weights):
    a, gradient = x, 1.0
    for w in weights:
        a = float(sigmoid(np.array(w * a)))
        gradient *= w * a * (1.0 - a)
    return float(gradient)
