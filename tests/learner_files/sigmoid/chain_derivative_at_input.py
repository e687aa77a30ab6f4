"""Learner mistake: sigma' evaluated at the layer's input, not at w * input."""

import numpy as np


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def chain_gradient(x, weights):
    a, gradient = x, 1.0
    for w in weights:
        gradient *= w * float(sigmoid_grad(np.array(a)))
        a = float(sigmoid(np.array(w * a)))
    return float(gradient)
