"""Correct, written differently: tanh identity, sigma(x) * sigma(-x), and a stored backward pass."""

import numpy as np


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # sigma(x) = (1 + tanh(x / 2)) / 2: tanh never overflows


def sigmoid_grad(x):
    return np.exp(-np.logaddexp(0.0, -x)) * np.exp(-np.logaddexp(0.0, x))  # sigma(x) * sigma(-x)


def chain_gradient(x, weights):
    activations = [x]
    for w in weights:  # forward, keeping every a_i
        activations.append(float(sigmoid(np.array(w * activations[-1]))))
    gradient = 1.0
    for i in reversed(range(len(weights))):  # backward, from the last layer to the first
        a = activations[i + 1]
        gradient = gradient * weights[i] * a * (1.0 - a)
    return float(gradient)
