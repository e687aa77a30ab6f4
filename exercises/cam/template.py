"""dlquiz exercise `cam`: class activation maps (CAM), in numpy.

Grade this file with `dlquiz exercise cam` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""


def class_activation_map(features, fc_weight, class_index):
    """The class activation map of each sample's class, for a network conv -> ReLU -> GAP -> Linear.

    features:    (N, C, H, W) float64 — the last conv layer's output (after ReLU), C feature maps per sample
    fc_weight:   (K, C) float64 — the weight of the Linear layer after GAP (K classes)
    class_index: (N,) int64 — the class whose map to draw for each sample
    returns:     (N, H, W) float64 — M[n] = sum over c of fc_weight[class_index[n], c] * features[n, c]
    """
    # features: (N, C, H, W)   fc_weight: (K, C)   class_index: (N,)
    # TODO: the weights of each sample's class  # (N, C)
    # TODO: weight each feature map and sum over the channels  # (N, H, W)
    raise NotImplementedError("class_activation_map is not written yet")


def normalize_map(cam):
    """Each map min-max scaled to [0, 1], so it can be drawn as a heat map.

    cam:     (N, H, W) float64
    returns: (N, H, W) float64 — (cam[n] - min(cam[n])) / (max(cam[n]) - min(cam[n])) for each n on its own;
             a constant map becomes all zeros; cam is left unchanged
    """
    # cam: (N, H, W)
    # TODO: the minimum and maximum of each map  # (N, 1, 1)
    # TODO: scale each map to [0, 1]; zeros where a map is constant  # (N, H, W)
    raise NotImplementedError("normalize_map is not written yet")
