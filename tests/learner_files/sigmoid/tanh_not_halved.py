"""Learner mistake: the tanh identity without halving the input."""

import numpy as np


def sigmoid(x):
    return (1.0 + np.tanh(x)) / 2.0


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def chain_gradient(x, weights):
    a, gradient = x, 1.0
    for w in weights:
        a = float(sigmoid(np.array(w * a)))
        gradient *= w * a * (1.0 - a)
    return float(gradient)
