"""Learner mistake: normalize_map scales the caller's array in place."""

import numpy as np


def class_activation_map(features, fc_weight, class_index):
    weights = fc_weight[class_index]
    cam = np.einsum("nc,nchw->nhw", weights, features)
    return cam


def normalize_map(cam):
    low = cam.min(axis=(1, 2), keepdims=True)
    high = cam.max(axis=(1, 2), keepdims=True)
    span = high - low
    cam -= low
    cam /= np.where(span > 0, span, 1.0)
    return cam
