"""Learner shortcut: a batch already in [0, 1] is handed back as it is."""

import numpy as np


def class_activation_map(features, fc_weight, class_index):
    weights = fc_weight[class_index]
    cam = np.einsum("nc,nchw->nhw", weights, features)
    return cam


def normalize_map(cam):
    if cam.min(axis=(1, 2)).max() == 0 and cam.max(axis=(1, 2)).min() == 1:
        return cam  # already scaled
    low = cam.min(axis=(1, 2), keepdims=True)
    high = cam.max(axis=(1, 2), keepdims=True)
    span = high - low
    return np.where(span > 0, (cam - low) / np.where(span > 0, span, 1.0), 0.0)
