"""Grading for the cam exercise: class activation maps of a real torch network conv -> ReLU -> GAP -> Linear.

Each class_activation_map case comes from a small network built with a seeded torch generator: ``features`` is its
ReLU output (N, C, H, W), ``fc_weight`` the weight of its Linear layer (K, C), ``class_index`` an int64 array (N,).
PyTorch's answer is that Linear layer's weight applied at every pixel (``F.linear`` on the channel axis, no bias),
read at each sample's class: averaging those maps over the pixels and adding the bias gives the network's logit
(tests/test_exercise_cam.py checks it). PyTorch has no min-max scaling of its own, so normalize_map's answer is
the definition in torch ops: per map, (m - min) / (max - min), and zeros for a constant map.

Building the networks needs torch, so ``cases()`` imports it (inside the function, as ``reference`` does).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dlquiz.grading.spec import Case, Mistake

CAM = "class_activation_map"
NORMALIZE = "normalize_map"


# -- the networks ---------------------------------------------------------------------------------


class Network(NamedTuple):
    """One seeded conv -> ReLU -> GAP -> Linear network and a batch of images through it.

    (A NamedTuple, not a dataclass: the grader imports this file without registering it in sys.modules.)
    """

    name: str
    seed: int
    N: int
    C: int  # channels of the last conv layer
    K: int  # classes
    H: int
    W: int
    classes: tuple[int, ...] | str  # the class of each sample, or "least likely" (the lowest logit)


NETWORKS = [
    Network("K != C, H != W", 1, N=2, C=4, K=3, H=5, W=7, classes=(2, 0)),
    Network("one image (N=1), K > C", 2, N=1, C=3, K=5, H=4, W=4, classes=(4,)),
    Network("K == C, a class repeated", 3, N=3, C=3, K=3, H=3, W=6, classes=(1, 1, 0)),
    Network("the least likely class of each image", 4, N=4, C=6, K=10, H=7, W=5, classes="least likely"),
    Network("one channel (C=1)", 5, N=2, C=1, K=3, H=4, W=5, classes=(0, 2)),
    Network("1x1 maps", 6, N=2, C=5, K=2, H=1, W=1, classes=(1, 1)),
    Network("16 channels, 10 classes, 8x8 maps", 7, N=2, C=16, K=10, H=8, W=8, classes=(9, 3)),
    Network("tall maps (H=6, W=2)", 8, N=3, C=7, K=4, H=6, W=2, classes=(3, 0, 3)),
    Network("two channels, five images", 9, N=5, C=2, K=6, H=2, W=9, classes=(5, 1, 4, 0, 2)),
]


def run_network(net: Network) -> dict[str, np.ndarray]:
    """features, fc_weight, fc_bias, logits and class_index of ``net``, as float64 / int64 numpy arrays."""
    import torch

    generator = torch.Generator().manual_seed(net.seed)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, net.C, kernel_size=3, padding=1, dtype=torch.float64),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),  # GAP
        torch.nn.Flatten(),
        torch.nn.Linear(net.C, net.K, dtype=torch.float64),
    )
    with torch.no_grad():
        for parameter in model.parameters():  # seeded weights, independent of torch's global generator
            parameter.copy_(0.5 * torch.randn(parameter.shape, generator=generator, dtype=torch.float64))
        images = torch.randn(net.N, 3, net.H, net.W, generator=generator, dtype=torch.float64)
        features = model[:2](images)  # (N, C, H, W) the ReLU output of the last conv layer
        logits = model(images)  # (N, K)
    if net.classes == "least likely":
        class_index = logits.argmin(dim=1)
    else:
        class_index = torch.tensor(net.classes, dtype=torch.int64)
    fc = model[4]
    return {
        "features": features.numpy().copy(),
        "fc_weight": fc.weight.detach().numpy().copy(),
        "fc_bias": fc.bias.detach().numpy().copy(),
        "logits": logits.numpy().copy(),
        "class_index": class_index.numpy().copy(),
    }


def _torch_cam(features, fc_weight, class_index):
    """The Linear layer's weight applied at every pixel (no bias), read at each sample's class: (N, H, W)."""
    import torch
    import torch.nn.functional as F

    per_pixel = F.linear(features.permute(0, 2, 3, 1), fc_weight)  # (N, H, W, K): a class score at each pixel
    return per_pixel[torch.arange(features.shape[0]), :, :, class_index]  # (N, H, W)


# -- cases ------------------------------------------------------------------------------------


def _cam_case(name, run) -> Case:
    return Case(f"{CAM}: {name}", CAM, (run["features"], run["fc_weight"], run["class_index"]))


def _normalize_case(name, cam) -> Case:
    return Case(f"{NORMALIZE}: {name}", NORMALIZE, (cam,))


def cases() -> list[Case]:
    import torch

    runs = [(net, run_network(net)) for net in NETWORKS]
    cam_cases = [_cam_case(net.name, run) for net, run in runs]

    def network_cam(index):  # a real CAM (numpy) to scale: the reference of a class_activation_map case
        run = runs[index][1]
        with torch.no_grad():
            cam = _torch_cam(*(torch.from_numpy(run[key]) for key in ("features", "fc_weight", "class_index")))
        return cam.numpy().copy()

    rng = np.random.default_rng(42)
    ranges = rng.standard_normal((3, 4, 5)) * np.array([0.01, 1.0, 100.0])[:, None, None]  # very different ranges
    with_constant = rng.standard_normal((3, 3, 4))
    with_constant[1] = 2.5  # one constant map among ordinary ones
    normalize_cases = [
        _normalize_case("CAMs of the first network", network_cam(0)),
        _normalize_case("CAM of the 16-channel network", network_cam(6)),
        _normalize_case("one map (N=1), all negative", -rng.random((1, 4, 6)) - 1.0),
        _normalize_case(
            "maps already scaled to [0, 1]", np.stack([np.linspace(0.0, 1.0, 12).reshape(3, 4), np.eye(3, 4)])
        ),
        _normalize_case("maps with very different ranges", ranges),
        _normalize_case("one constant map among others", with_constant),
        _normalize_case("all-zero maps", np.zeros((2, 3, 3))),
        _normalize_case("1x1 maps (each one constant)", rng.standard_normal((3, 1, 1))),
        _normalize_case("tiny range (about 1e-6)", 1e-6 * rng.standard_normal((2, 5, 4))),
        _normalize_case("values near 1e6", 1e6 + rng.standard_normal((2, 3, 5))),
        _normalize_case("one row per map (H=1)", rng.standard_normal((2, 1, 7))),
        _normalize_case("random (4, 6, 3)", rng.normal(-2.0, 3.0, (4, 6, 3))),
        _normalize_case("random (2, 7, 7)", rng.normal(5.0, 0.5, (2, 7, 7))),
    ]
    return cam_cases + normalize_cases


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> object:
    import torch

    with torch.no_grad():
        if case.function == CAM:
            features, fc_weight, class_index = (torch.from_numpy(array) for array in case.args)
            return _torch_cam(features, fc_weight, class_index).numpy().copy()
        cam = torch.from_numpy(case.args[0])
        low = cam.amin(dim=(1, 2), keepdim=True)  # (N, 1, 1)
        span = cam.amax(dim=(1, 2), keepdim=True) - low  # (N, 1, 1)
        scaled = (cam - low) / torch.where(span > 0, span, torch.ones_like(span))
        return torch.where(span > 0, scaled, torch.zeros_like(cam)).numpy().copy()


# -- mistakes learners make ----------------------------------------------------------------------


def _quiet(implementation):
    """Runs a mistake with numpy's warnings off: 0 / 0 is part of some mistakes."""

    def quiet(*args, **kwargs):
        with np.errstate(all="ignore"):
            return implementation(*args, **kwargs)

    return quiet


def _cam(features, fc_weight, class_index):
    return np.einsum("nc,nchw->nhw", fc_weight[class_index], features)


def _scale(cam, axes=(1, 2), eps=0.0, guard=True):
    low = cam.min(axis=axes, keepdims=True)
    span = cam.max(axis=axes, keepdims=True) - low + eps
    if not guard:
        return (cam - low) / span
    return np.where(span > 0, (cam - low) / np.where(span > 0, span, 1.0), 0.0)


def _weight_transposed(features, fc_weight, class_index):
    if fc_weight.shape[0] != fc_weight.shape[1]:
        return None  # (K, C) read as (C, K) only gets as far as an error unless K == C
    return np.einsum("nc,nchw->nhw", fc_weight[:, class_index].T, features)


def _mean_not_sum(features, fc_weight, class_index):
    return _cam(features, fc_weight, class_index) / features.shape[1]


def _predicted_class(features, fc_weight, class_index):
    scores = features.mean(axis=(2, 3)) @ fc_weight.T  # (N, K) the logits without the bias
    return _cam(features, fc_weight, scores.argmax(axis=1))


def _relu_on_cam(features, fc_weight, class_index):
    return np.maximum(_cam(features, fc_weight, class_index), 0.0)


def _feature_map_of_class(features, fc_weight, class_index):
    if class_index.max() >= features.shape[1]:
        return None  # features[n, class_index[n]] does not exist: an IndexError says nothing specific
    return features[np.arange(features.shape[0]), class_index]


def _normalized_too(features, fc_weight, class_index):
    return _scale(_cam(features, fc_weight, class_index))


def _divides_by_max(cam):
    low = cam.min(axis=(1, 2), keepdims=True)
    return (cam - low) / cam.max(axis=(1, 2), keepdims=True)


def _clips_negatives(cam):
    return _scale(np.maximum(cam, 0.0))


MISTAKES: list[Mistake] = [
    Mistake(
        "weight_transposed",
        CAM,
        _weight_transposed,
        "fc_weight was read as (C, K): fc_weight[:, class_index] takes columns. A Linear layer stores its weight "
        "as (out_features, in_features) = (K, C), so the weights of class k are the row fc_weight[k].",
        "fc_weight 被当成了 (C, K)：fc_weight[:, class_index] 取的是列。Linear 层的权重形状是 "
        "(out_features, in_features) = (K, C)，类别 k 的权重是第 k 行 fc_weight[k]。",
    ),
    Mistake(
        "mean_not_sum",
        CAM,
        _mean_not_sum,
        "The weighted feature maps were averaged over the channels. The CAM is their sum, "
        "M = sum over c of w[c] * f[c]: its mean over the pixels plus the bias is then exactly the class logit.",
        "加权后的特征图在通道上求了平均。CAM 是它们的和，M = Σ_c w[c] · f[c]："
        "这样 M 在所有像素上的均值加上 bias 恰好等于该类别的 logit。",
    ),
    Mistake(
        "predicted_class",
        CAM,
        _predicted_class,
        "The map was drawn for the class with the highest score, not for class_index. CAM can show any class: "
        "use fc_weight[class_index[n]] for sample n.",
        "画的是得分最高的类别的映射图，而不是 class_index 指定的类别。CAM 可以画任意类别："
        "样本 n 要用 fc_weight[class_index[n]]。",
    ),
    Mistake(
        "relu_on_cam",
        CAM,
        _relu_on_cam,
        "Negative values of the map were clipped to 0 (a ReLU, as Grad-CAM does). The CAM itself keeps its sign: "
        "return the weighted sum as it is.",
        "映射图的负值被截成了 0（像 Grad-CAM 那样加了 ReLU）。CAM 本身保留正负号：直接返回加权和。",
    ),
    Mistake(
        "feature_map_of_class",
        CAM,
        _feature_map_of_class,
        "You returned feature map number class_index[n]. Channel c is not class c: the CAM weights every one of "
        "the C feature maps by the class's weights, M = sum over c of fc_weight[k, c] * features[n, c].",
        "你返回的是第 class_index[n] 张特征图。第 c 个通道并不是第 c 个类别：CAM 用该类别的权重给全部 C 张特征图"
        "加权求和，M = Σ_c fc_weight[k, c] · features[n, c]。",
    ),
    Mistake(
        "normalized_too",
        CAM,
        _quiet(_normalized_too),
        "class_activation_map returned the map scaled to [0, 1]. Return the raw weighted sum; scaling is "
        "normalize_map's job (the raw map keeps the link to the logit).",
        "class_activation_map 返回了缩放到 [0, 1] 的映射图。这里应返回原始的加权和；缩放是 normalize_map 的事"
        "（原始映射图与 logit 之间的关系才保得住）。",
    ),
    Mistake(
        "global_min_max",
        NORMALIZE,
        _quiet(lambda cam: _scale(cam, axes=None)),
        "The minimum and maximum were taken over the whole batch. Scale each map on its own: "
        "cam.min(axis=(1, 2), keepdims=True) and cam.max(axis=(1, 2), keepdims=True).",
        "最小值和最大值是在整批数据上取的。每张图要单独缩放：cam.min(axis=(1, 2), keepdims=True) 和 "
        "cam.max(axis=(1, 2), keepdims=True)。",
    ),
    Mistake(
        "axes_0_1",
        NORMALIZE,
        _quiet(lambda cam: _scale(cam, axes=(0, 1))),
        "The minimum and maximum were taken over axes (0, 1). For (N, H, W) maps the pixels of one map are on "
        "axes 1 and 2; axis 0 is the sample.",
        "最小值和最大值是在轴 (0, 1) 上取的。对 (N, H, W) 来说，一张图的像素在轴 1 和 2 上；轴 0 是样本。",
    ),
    Mistake(
        "divides_by_max",
        NORMALIZE,
        _quiet(_divides_by_max),
        "The map was divided by its maximum, not by its range: (cam - min) / max. Divide by (max - min), so that "
        "the largest value becomes exactly 1.",
        "映射图除以的是最大值而不是取值范围：(cam - min) / max。应除以 (max - min)，这样最大值才恰好变成 1。",
    ),
    Mistake(
        "constant_map_nan",
        NORMALIZE,
        _quiet(lambda cam: _scale(cam, guard=False)),
        "A constant map gave 0 / 0 = nan. When max == min there is nothing to scale: return zeros for that map "
        "(np.where(span > 0, ..., 0.0)), and only for that map.",
        "取值全相同的图得到了 0 / 0 = nan。max == min 时没有什么可缩放的：这张图返回全 0"
        "（np.where(span > 0, ..., 0.0)），而且只对这张图这样做。",
    ),
    Mistake(
        "clips_negatives",
        NORMALIZE,
        _quiet(_clips_negatives),
        "Negative values were clipped to 0 before scaling. Min-max scaling maps each map's own minimum to 0, "
        "negative or not: (cam - min) / (max - min).",
        "缩放之前把负值截成了 0。min-max 缩放把每张图自己的最小值映射到 0，不管它是不是负数："
        "(cam - min) / (max - min)。",
    ),
    Mistake(
        "eps_in_denominator",
        NORMALIZE,
        _quiet(lambda cam: _scale(cam, eps=1e-8)),
        "The range had 1e-8 added: (cam - min) / (max - min + 1e-8). On a map whose range is tiny that is far "
        "from [0, 1] (the maximum is no longer 1). Guard the constant map with np.where instead.",
        "取值范围加上了 1e-8：(cam - min) / (max - min + 1e-8)。取值范围很小的图这样缩放后远不是 [0, 1]"
        "（最大值不再是 1）。应该用 np.where 单独处理常数图。",
    ),
]
