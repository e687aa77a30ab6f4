"""Grading spec for `gap`: global average pooling against adaptive_avg_pool2d(x, 1)."""

import numpy as np

from dlquiz.grading.spec import Case, Mistake


def _case(name, x):
    return Case(f"global_avg_pool: {name}", "global_avg_pool", (x,))


def cases() -> list[Case]:
    rng = np.random.default_rng(20240604)
    notes_example = np.ones((1, 4, 6, 6)) * np.arange(4.0).reshape(1, 4, 1, 1)  # four 6x6 maps from the notes
    fixed = [
        _case("all zeros", np.zeros((2, 3, 4, 4))),
        _case("the notes' four 6x6 maps (N=1)", notes_example),
        _case("N=1, one channel", rng.standard_normal((1, 1, 5, 5))),
        _case("N != C, H != W", rng.standard_normal((2, 3, 4, 5))),
        _case("N == C (square batch)", rng.standard_normal((3, 3, 2, 4))),
        _case("1x1 maps: nothing to average", rng.standard_normal((4, 2, 1, 1))),
        _case("one row per map (H=1)", rng.standard_normal((2, 5, 1, 7))),
        _case("tall maps (W=1)", rng.standard_normal((2, 3, 6, 1))),
        _case("large offset, small spread", 1e8 + rng.standard_normal((2, 3, 4, 4))),
        _case("all negative", -rng.random((3, 2, 3, 3)) - 1.0),
        _case("32x32 maps", rng.standard_normal((2, 4, 32, 32))),
    ]
    random = [
        _case(f"random {shape}", rng.standard_normal(shape) * rng.choice([0.1, 1.0, 100.0]))
        for shape in [(5, 2, 3, 3), (1, 8, 7, 5), (4, 6, 2, 9), (3, 16, 8, 8)]
    ]
    return fixed + random


def reference(case: Case) -> np.ndarray:
    import torch
    import torch.nn.functional as F

    x = torch.tensor(case.args[0], dtype=torch.float64)
    return F.adaptive_avg_pool2d(x, 1).flatten(1).numpy()  # (N, C, 1, 1) -> (N, C)


# --- wrong implementations learners really write (used only to diagnose a failure) ---


def _keepdims(x):
    return x.mean(axis=(2, 3), keepdims=True)


def _sum(x):
    return x.sum(axis=(2, 3))


def _max(x):
    return x.max(axis=(2, 3))


def _axes(*axes):
    def wrong_axes(x):
        return x.mean(axis=axes)

    return wrong_axes


def _last_axis_only(x):
    return x.mean(axis=-1)


def _transposed(x):
    return x.mean(axis=(2, 3)).T


def _reshape_c_n(x):
    return x.reshape(x.shape[1], x.shape[0], -1).mean(axis=-1)


def _square_maps(x):
    return x.sum(axis=(2, 3)) / x.shape[2] ** 2


def _divided_by_h(x):
    return x.sum(axis=(2, 3)) / x.shape[2]


def _per_sample(x):
    return x.reshape(x.shape[0], -1).mean(axis=1)


def _wrong_axes_message(axes):
    return (
        f"You averaged over axes {axes}. For (N, C, H, W) the spatial axes are 2 and 3 (H and W); "
        "average over those and keep N and C.",
        f"你在轴 {axes} 上求了平均。对 (N, C, H, W) 来说，空间轴是 2 和 3（H 和 W）；应在这两个轴上求平均，保留 N 和 C。",
    )


MISTAKES = [
    Mistake(
        "keepdims",
        "global_avg_pool",
        _keepdims,
        "Your output has shape (N, C, 1, 1): that is adaptive_avg_pool2d(x, 1) before flattening. GAP here "
        "returns (N, C) — drop keepdims=True (or reshape to (N, C)).",
        "你的输出形状是 (N, C, 1, 1)：这是 adaptive_avg_pool2d(x, 1) 展平之前的样子。这里的 GAP 要返回 (N, C)——去掉 keepdims=True（或 reshape 成 (N, C)）。",
    ),
    Mistake(
        "sum_not_mean",
        "global_avg_pool",
        _sum,
        "You summed the pixels; GAP takes their mean — divide by H·W (or use .mean).",
        "你把像素加起来了；GAP 要取平均——除以 H·W（或用 .mean）。",
    ),
    Mistake(
        "max_not_mean",
        "global_avg_pool",
        _max,
        "You took the maximum of each map: that is global max pooling. GAP averages.",
        "你取了每张特征图的最大值：那是全局最大池化。GAP 取的是平均值。",
    ),
    Mistake(
        "square_maps",
        "global_avg_pool",
        _square_maps,
        "You divide by H·H, which assumes square maps. Divide by H·W (x.shape[2] * x.shape[3]), or use .mean.",
        "你除以的是 H·H，这默认了特征图是正方形。应除以 H·W（x.shape[2] * x.shape[3]），或直接用 .mean。",
    ),
    Mistake(
        "divided_by_h",
        "global_avg_pool",
        _divided_by_h,
        "You summed the H·W pixels of each map but divided by H only. Divide by the number of pixels, "
        "H·W (x.shape[2] * x.shape[3]), or use .mean(axis=(2, 3)).",
        "你把每张特征图的 H·W 个像素加起来了，却只除以 H。应除以像素个数 H·W（x.shape[2] * x.shape[3]），"
        "或直接用 .mean(axis=(2, 3))。",
    ),
    Mistake(
        "transposed",
        "global_avg_pool",
        _transposed,
        "Your result is (C, N), transposed: keep the sample axis first — out[n, c].",
        "你的结果是转置过的 (C, N)：样本轴要在前——out[n, c]。",
    ),
    Mistake(
        "reshape_c_n",
        "global_avg_pool",
        _reshape_c_n,
        "You reshaped to (C, N, H·W): reshape does not swap axes, it re-cuts the memory, so channels and "
        "samples get mixed. Use x.reshape(N, C, -1) or simply x.mean(axis=(2, 3)).",
        "你 reshape 成了 (C, N, H·W)：reshape 不会交换轴，只是重新切分内存，于是通道和样本被打乱了。用 x.reshape(N, C, -1)，或者直接 x.mean(axis=(2, 3))。",
    ),
    Mistake(
        "per_sample",
        "global_avg_pool",
        _per_sample,
        "You averaged each sample over all channels too, giving shape (N,). Each channel keeps its own mean: (N, C).",
        "你把每个样本的所有通道也一起平均了，得到形状 (N,)。每个通道应有自己的平均值：(N, C)。",
    ),
    Mistake(
        "last_axis_only",
        "global_avg_pool",
        _last_axis_only,
        "You averaged over the last axis only (W), giving (N, C, H). Average over H as well: axis=(2, 3).",
        "你只在最后一个轴（W）上求了平均，得到 (N, C, H)。H 也要平均：axis=(2, 3)。",
    ),
    *[
        Mistake(f"wrong_axes_{a}{b}", "global_avg_pool", _axes(a, b), *_wrong_axes_message((a, b)))
        for a, b in [(0, 1), (1, 2), (1, 3), (0, 2), (0, 3)]
    ],
]
