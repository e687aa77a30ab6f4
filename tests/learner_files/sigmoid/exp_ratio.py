"""Learner mistake: e^x / (1 + e^x), which is inf / inf for large x."""

import numpy as np


def sigmoid(x):
    e = np.exp(x)
    return e / (1.0 + e)


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def chain_gradient(x, weights):
    a, gradient = x, 1.0
    for w in weights:
        a = float(sigmoid(np.array(w * a)))
        gradient *= w * a * (1.0 - a)
    return float(gradient)
