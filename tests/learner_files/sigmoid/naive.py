"""Learner mistake: the textbook formula; exp(-x) overflows for x = -1e4."""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def chain_gradient(x, weights):
    a, gradient = x, 1.0
    for w in weights:
        a = float(sigmoid(np.array(w * a)))
        gradient *= w * a * (1.0 - a)
    return float(gradient)
