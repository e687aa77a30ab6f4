"""Reference solution for `cam`."""

import numpy as np


def class_activation_map(features, fc_weight, class_index):
    # features: (N, C, H, W) the last conv layer's output; fc_weight: (K, C) the Linear after GAP; class_index: (N,)
    weights = fc_weight[class_index]  # (N, C): row n holds the weights of sample n's class
    # M[n] = sum over c of weights[n, c] * features[n, c]: the classifier applied at every pixel, without the bias
    return np.einsum("nc,nchw->nhw", weights, features)  # (N, H, W)


def normalize_map(cam):
    # cam: (N, H, W) -> each map scaled to [0, 1] on its own
    low = cam.min(axis=(1, 2), keepdims=True)  # (N, 1, 1)
    span = cam.max(axis=(1, 2), keepdims=True) - low  # (N, 1, 1)
    safe = np.where(span > 0, span, 1.0)  # a constant map has nothing to scale: it becomes zeros
    return np.where(span > 0, (cam - low) / safe, 0.0)  # (N, H, W)
