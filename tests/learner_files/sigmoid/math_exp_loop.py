"""Learner mistake: a loop with math.exp, which raises OverflowError."""

import math

import numpy as np


def sigmoid(x):
    out = np.empty_like(x)
    flat = out.reshape(-1)
    for i, v in enumerate(x.reshape(-1)):
        flat[i] = 1.0 / (1.0 + math.exp(-v))
    return out


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def chain_gradient(x, weights):
    a, gradient = x, 1.0
    for w in weights:
        a = float(sigmoid(np.array(w * a)))
        gradient *= w * a * (1.0 - a)
    return float(gradient)
