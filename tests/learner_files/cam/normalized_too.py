"""Learner mistake: class_activation_map already scales the map to [0, 1]."""

import numpy as np


def class_activation_map(features, fc_weight, class_index):
    weights = fc_weight[class_index]
    cam = np.einsum("nc,nchw->nhw", weights, features)
    return normalize_map(cam)


def normalize_map(cam):
    low = cam.min(axis=(1, 2), keepdims=True)
    high = cam.max(axis=(1, 2), keepdims=True)
    span = high - low
    return np.where(span > 0, (cam - low) / np.where(span > 0, span, 1.0), 0.0)
