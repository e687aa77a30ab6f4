"""Grading for `conv2d`: F.conv2d itself, with int and (h, w) stride, padding and dilation, zero padding.

The fixed cases make each mix-up visible: non-square inputs and kernels, M != C (and M == C once, where a swapped
weight layout still multiplies), asymmetric (h, w) pairs one parameter at a time (a pair read as (w, h) shows),
a kernel that is not symmetric (a flipped kernel shows), Wo == M once (a bias added on the width axis then
broadcasts), padding wider than the kernel (edge padding shows), and N = 1. Arguments travel as keywords, once
positionally, and bias is left out where it is None.
"""

from __future__ import annotations

import numpy as np

from dlquiz.grading.spec import Case, Mistake

FUNCTION = "conv2d"
PARAMETERS = ("x", "weight", "bias", "stride", "padding", "dilation")
DEFAULTS = {"bias": None, "stride": 1, "padding": 0, "dilation": 1}


# -- cases ------------------------------------------------------------------------------------


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def _output_size(x_shape, w_shape, stride, padding, dilation) -> tuple[int, int]:
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    H, W, kH, kW = x_shape[2], x_shape[3], w_shape[2], w_shape[3]
    return (H + 2 * ph - dh * (kH - 1) - 1) // sh + 1, (W + 2 * pw - dw * (kW - 1) - 1) // sw + 1


def _case(name: str, rng: np.random.Generator, x_shape, w_shape, bias=True, **options) -> Case:
    x = rng.standard_normal(x_shape)  # (N, C, H, W)
    weight = rng.standard_normal(w_shape)  # (M, C, kH, kW): random, so never symmetric
    kwargs = dict(options)
    if bias:
        kwargs = {"bias": rng.standard_normal(w_shape[0]), **kwargs}  # (M,)
    return Case(f"conv2d: {name}", FUNCTION, (x, weight), kwargs)


def _fixed_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        _case("1x1 kernel", rng, (2, 3, 4, 5), (4, 3, 1, 1)),
        _case("3x3 kernel, M != C, H != W", rng, (2, 3, 6, 7), (4, 3, 3, 3)),
        _case("no bias (None), one image (N=1)", rng, (1, 2, 5, 5), (3, 2, 3, 3), bias=False),
        _case("non-square 2x3 kernel", rng, (2, 3, 5, 6), (2, 3, 2, 3)),
        _case("padding=1 keeps the size", rng, (1, 3, 5, 6), (2, 3, 3, 3), padding=1),
        _case("padding=(2, 0)", rng, (2, 2, 4, 6), (3, 2, 3, 3), padding=(2, 0)),
        _case("stride=2 that does not divide", rng, (1, 2, 7, 8), (2, 2, 3, 3), stride=2),
        _case("stride=(1, 2)", rng, (2, 2, 5, 7), (3, 2, 2, 3), stride=(1, 2)),
        _case("dilation=2", rng, (1, 2, 7, 7), (2, 2, 3, 3), dilation=2),
        _case("dilation=(2, 1)", rng, (2, 1, 8, 6), (2, 1, 3, 2), dilation=(2, 1)),
        _case(
            "stride, padding and dilation together",
            rng,
            (2, 3, 9, 8),
            (4, 3, 3, 2),
            stride=(2, 1),
            padding=(1, 2),
            dilation=(1, 2),
        ),
        _case("kernel as large as the input: 1x1 output", rng, (3, 2, 4, 5), (5, 2, 4, 5)),
        _case("M == C, square kernel", rng, (2, 3, 5, 5), (3, 3, 3, 3)),
        _case("Wo == M", rng, (2, 2, 4, 6), (4, 2, 3, 3)),
        _case("one channel in and out", rng, (2, 1, 5, 6), (1, 1, 3, 3), bias=False, padding=(1, 0)),
        _case("padding wider than the kernel", rng, (1, 1, 3, 3), (2, 1, 2, 2), padding=3),
    ]
    x = -rng.uniform(0.5, 2.0, (2, 2, 5, 4))  # all negative input, positive weights: every output below the bias
    weight, bias = rng.uniform(0.1, 1.0, (3, 2, 2, 2)), rng.standard_normal(3)
    cases.append(Case("conv2d: all-negative input", FUNCTION, (x, weight), {"bias": bias, "stride": (2, 1)}))
    x, weight, bias = rng.standard_normal((2, 2, 6, 5)), rng.standard_normal((3, 2, 2, 3)), rng.standard_normal(3)
    cases.append(
        Case(
            "conv2d: positional (x, weight, bias, stride, padding, dilation)",
            FUNCTION,
            (x, weight, bias, (2, 1), 1, (1, 2)),
        )
    )
    return cases


def _random_cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    while len(cases) < 4:
        N, C, M = (int(n) for n in rng.integers(1, 5, 3))
        H, W = (int(n) for n in rng.integers(4, 10, 2))
        kH, kW = (int(n) for n in rng.integers(1, 5, 2))

        def draw(low: int, high: int):  # an int, or an (h, w) pair half the time
            h, w = (int(n) for n in rng.integers(low, high + 1, 2))
            return (h, w) if rng.random() < 0.5 else h

        options = {"stride": draw(1, 3), "padding": draw(0, 2), "dilation": draw(1, 2)}
        if min(_output_size((N, C, H, W), (M, C, kH, kW), **options)) < 1:
            continue  # PyTorch refuses an empty output; the exercise does not ask for that error
        name = f"random x {(N, C, H, W)}, kernel {(M, C, kH, kW)}, " + ", ".join(f"{k}={v}" for k, v in options.items())
        cases.append(_case(name, rng, (N, C, H, W), (M, C, kH, kW), bias=rng.random() < 0.7, **options))
    return cases


def cases() -> list[Case]:
    rng = np.random.default_rng(20240614)
    return _fixed_cases(rng) + _random_cases(rng)


def arguments(case: Case) -> dict:
    """Every parameter of the call by name, defaults included."""
    return {**DEFAULTS, **dict(zip(PARAMETERS[: len(case.args)], case.args, strict=True)), **case.kwargs}


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> np.ndarray:
    import torch
    import torch.nn.functional as F

    a = arguments(case)
    bias = None if a["bias"] is None else torch.from_numpy(a["bias"])
    out = F.conv2d(
        torch.from_numpy(a["x"]),
        torch.from_numpy(a["weight"]),
        bias,
        stride=a["stride"],
        padding=a["padding"],
        dilation=a["dilation"],
    )
    return out.numpy()  # (N, M, Ho, Wo)


# -- mistakes learners make ----------------------------------------------------------------------


def _conv(
    x, weight, bias=None, stride=1, padding=0, dilation=1, *, flip=False, pad_mode="constant", size_from_dk=False
):
    """A numpy conv2d in which each keyword switches on one learner mistake."""
    N, C, H, W = x.shape
    M, _, kH, kW = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    Ho, Wo = _output_size(x.shape, weight.shape, stride, padding, dilation)
    if flip:
        weight = weight[:, :, ::-1, ::-1]
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), mode=pad_mode)
    out = np.zeros((N, M, Ho, Wo))
    for a in range(kH):
        for b in range(kW):
            patch = padded[:, :, a * dh : a * dh + sh * (Ho - 1) + 1 : sh, b * dw : b * dw + sw * (Wo - 1) + 1 : sw]
            out += np.einsum("nchw,mc->nmhw", patch, weight[:, :, a, b])
    if bias is not None:
        out += bias.reshape(1, M, 1, 1)
    if size_from_dk:  # the output size computed as (H + 2p - d*k) // s + 1
        out = out[:, :, : (H + 2 * ph - dh * kH) // sh + 1, : (W + 2 * pw - dw * kW) // sw + 1]
    return out


def _with(**flaw):
    def implementation(*args, **kwargs):
        return _conv(*args, **kwargs, **flaw)

    return implementation


def _no_bias(x, weight, bias=None, stride=1, padding=0, dilation=1):
    return _conv(x, weight, None, stride, padding, dilation)


def _bias_on_last_axis(x, weight, bias=None, stride=1, padding=0, dilation=1):
    if bias is None:
        return None  # nothing to misplace
    out = _conv(x, weight, None, stride, padding, dilation)
    try:
        return out + bias  # (M,) broadcast against the width axis
    except ValueError:
        return None  # numpy refuses: a bare ValueError identifies nothing


def _pairs_as_width_height(x, weight, bias=None, stride=1, padding=0, dilation=1):
    swap = [value if isinstance(value, int) else (value[1], value[0]) for value in (stride, padding, dilation)]
    if swap == [stride, padding, dilation]:
        return None  # no asymmetric pair here: the mistake changes nothing
    try:
        return _conv(x, weight, bias, *swap)
    except ValueError:
        return None


def _dilation_ignored(x, weight, bias=None, stride=1, padding=0, dilation=1):
    return _conv(x, weight, bias, stride, padding, 1)


def _stride_ignored(x, weight, bias=None, stride=1, padding=0, dilation=1):
    return _conv(x, weight, bias, 1, padding, dilation)


def _weight_in_out_swapped(x, weight, bias=None, stride=1, padding=0, dilation=1):
    if weight.shape[0] != weight.shape[1]:
        return None  # the einsum would refuse the shapes
    return _conv(x, weight.transpose(1, 0, 2, 3), bias, stride, padding, dilation)


def _kernel_axes_swapped(x, weight, bias=None, stride=1, padding=0, dilation=1):
    if weight.shape[2] != weight.shape[3]:
        return None  # different kernel sizes: the swap breaks the shapes, and errors say little
    return _conv(x, weight.transpose(0, 1, 3, 2), bias, stride, padding, dilation)


MISTAKES: list[Mistake] = [
    Mistake(
        "flipped_kernel",
        FUNCTION,
        _with(flip=True),
        "You flipped the kernel (true mathematical convolution). PyTorch's conv2d is a cross-correlation: "
        "weight[m, c, a, b] multiplies the input pixel a rows and b columns after the window's top-left corner, "
        "with no flip.",
        "你把卷积核翻转了（数学上的真卷积）。PyTorch 的 conv2d 其实是互相关：weight[m, c, a, b] 乘的是窗口左上角"
        "往下 a 行、往右 b 列的像素，不翻转。",
    ),
    Mistake(
        "no_bias",
        FUNCTION,
        _no_bias,
        "The bias is missing: add bias[m] to every pixel of output map m (when bias is not None).",
        "漏掉了偏置：bias 不为 None 时，要给第 m 张输出特征图的每个像素加上 bias[m]。",
    ),
    Mistake(
        "bias_on_last_axis",
        FUNCTION,
        _bias_on_last_axis,
        "You added bias (M,) straight to the (N, M, Ho, Wo) output, so numpy lined it up with the last axis, the "
        "width. It belongs to the channel axis: out + bias.reshape(1, M, 1, 1).",
        "你把形状 (M,) 的 bias 直接加到了 (N, M, Ho, Wo) 的输出上，numpy 把它对到了最后一个轴，也就是宽度轴。"
        "它属于通道轴：out + bias.reshape(1, M, 1, 1)。",
    ),
    Mistake(
        "pairs_as_width_height",
        FUNCTION,
        _pairs_as_width_height,
        "You read an (h, w) pair the other way round, as (width, height) — the order PIL uses for image sizes. "
        "PyTorch's stride, padding and dilation pairs are (height, width), like the axes of (N, C, H, W).",
        "你把 (h, w) 二元组读反了，当成了 (宽, 高)——PIL 表示图像尺寸的顺序。PyTorch 的 stride、padding、dilation "
        "二元组是 (高, 宽)，和 (N, C, H, W) 的轴顺序一致。",
    ),
    Mistake(
        "dilation_ignored",
        FUNCTION,
        _dilation_ignored,
        "Dilation was ignored. With dilation d the kernel taps are d pixels apart: tap (a, b) reads the input at "
        "(i*sh + a*dh, j*sw + b*dw), and the kernel spans d*(k - 1) + 1 pixels.",
        "忽略了 dilation。膨胀为 d 时，卷积核的各个点相隔 d 个像素：点 (a, b) 读取的输入位置是 "
        "(i*sh + a*dh, j*sw + b*dw)，卷积核覆盖 d*(k - 1) + 1 个像素。",
    ),
    Mistake(
        "dilated_size_dk",
        FUNCTION,
        _with(size_from_dk=True),
        "Your output is too small when dilation > 1: a dilated kernel spans d*(k - 1) + 1 pixels, not d*k. "
        "Ho = (H + 2*ph - dh*(kH - 1) - 1) // sh + 1.",
        "dilation > 1 时你的输出偏小：膨胀后的卷积核覆盖 d*(k - 1) + 1 个像素，而不是 d*k。"
        "Ho = (H + 2*ph - dh*(kH - 1) - 1) // sh + 1。",
    ),
    Mistake(
        "stride_ignored",
        FUNCTION,
        _stride_ignored,
        "Stride was ignored: with stride s the window moves s pixels at a time, so Ho = (H + 2*ph - dh*(kH - 1) "
        "- 1) // sh + 1 and output (i, j) starts at input (i*sh, j*sw).",
        "忽略了 stride：步长为 s 时窗口每次移动 s 个像素，所以 Ho = (H + 2*ph - dh*(kH - 1) - 1) // sh + 1，"
        "输出 (i, j) 从输入 (i*sh, j*sw) 开始。",
    ),
    Mistake(
        "edge_padding",
        FUNCTION,
        _with(pad_mode="edge"),
        "You padded by repeating the border pixels (np.pad's mode='edge'). conv2d pads with zeros: np.pad's "
        "default mode='constant'.",
        "你用重复边缘像素的方式填充（np.pad 的 mode='edge'）。conv2d 用 0 填充：np.pad 默认的 mode='constant'。",
    ),
    Mistake(
        "weight_in_out_swapped",
        FUNCTION,
        _weight_in_out_swapped,
        "You read weight as (C, M, kH, kW) — in channels first, the layout of conv_transpose2d. conv2d's weight "
        "is (M, C, kH, kW): weight[m] is the kernel that makes output map m.",
        "你把 weight 当成了 (C, M, kH, kW)——输入通道在前，那是 conv_transpose2d 的布局。conv2d 的 weight 是 "
        "(M, C, kH, kW)：weight[m] 是产生第 m 张输出特征图的卷积核。",
    ),
    Mistake(
        "kernel_axes_swapped",
        FUNCTION,
        _kernel_axes_swapped,
        "You swapped the kernel's two spatial axes (weight[m, c, b, a] instead of weight[m, c, a, b]). The "
        "third axis of weight runs down the rows (kH), the fourth across the columns (kW).",
        "你把卷积核的两个空间轴交换了（用了 weight[m, c, b, a] 而不是 weight[m, c, a, b]）。"
        "weight 的第三个轴沿行向下（kH），第四个轴沿列向右（kW）。",
    ),
]
