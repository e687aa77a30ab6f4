"""Learner mistake: the product of the chain started at 0 (`gradient = 0.0`), so it stays 0."""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    # x: any shape -> same shape.
    # exp only ever sees -|x| <= 0, so e is in (0, 1] and nothing overflows (exp(-1e4) quietly rounds to 0).
    e = np.exp(-np.abs(x))
    # x >= 0: 1 / (1 + e^-x);  x < 0: e^x / (1 + e^x) -- the same function, each safe on its own side.
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    # x: any shape -> same shape. sigma'(x) = sigma(x) * (1 - sigma(x)), at most 0.25 (at x = 0).
    s = sigmoid(x)
    return s * (1.0 - s)


def chain_gradient(x: float, weights: np.ndarray) -> float:
    # weights: (L,).  a_0 = x,  z_i = w_i * a_{i-1},  a_i = sigma(z_i)
    # d a_i / d a_{i-1} = w_i * sigma'(z_i) = w_i * a_i * (1 - a_i), and d a_L / d x is the product over the layers.
    a = float(x)
    gradient = 0.0
    for w in weights:
        a = float(sigmoid(np.asarray(w * a)))
        gradient *= w * a * (1.0 - a)  # each factor is at most |w| / 4: with small weights the product vanishes
    return float(gradient)
