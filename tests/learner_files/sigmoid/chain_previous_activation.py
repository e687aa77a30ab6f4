"""Learner mistake: the backward pass pairs layer i with the previous layer's output."""

import numpy as np


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def chain_gradient(x, weights):
    activations = [x]
    for w in weights:
        activations.append(float(sigmoid(np.array(w * activations[-1]))))
    gradient = 1.0
    for i, w in enumerate(weights):
        a = activations[i]  # should be activations[i + 1], this layer's output
        gradient *= w * a * (1.0 - a)
    return float(gradient)
