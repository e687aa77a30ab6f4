"""Learner mistake: bias reshaped in place, which changes the caller's array."""

import numpy as np


def maxout(x, weight, bias):
    bias.shape = (bias.shape[0], 1, bias.shape[1])  # (K, 1, M) to broadcast over the samples
    return (x @ weight + bias).max(axis=0)
