"""Learner mistake: the maximum of the parameters instead of the pieces."""

import numpy as np


def maxout(x, weight, bias):
    return x @ weight.max(axis=0) + bias.max(axis=0)
