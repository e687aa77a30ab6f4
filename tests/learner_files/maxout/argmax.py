"""Learner mistake: the index of the winning piece instead of its value."""

import numpy as np


def maxout(x, weight, bias):
    return np.argmax(x @ weight + bias[:, None, :], axis=0)
