"""Learner mistake: a ReLU on the map, as Grad-CAM does."""

import numpy as np


def class_activation_map(features, fc_weight, class_index):
    weights = fc_weight[class_index]
    cam = np.einsum("nc,nchw->nhw", weights, features)
    return np.maximum(cam, 0)


def normalize_map(cam):
    low = cam.min(axis=(1, 2), keepdims=True)
    high = cam.max(axis=(1, 2), keepdims=True)
    span = high - low
    return np.where(span > 0, (cam - low) / np.where(span > 0, span, 1.0), 0.0)
