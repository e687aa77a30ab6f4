"""Grading for the pooling exercise: max_pool2d and avg_pool2d against torch.nn.functional.

Contract for the cases: ``x`` is (N, C, H, W) float64; ``kernel_size``, ``stride`` and ``padding`` are Python ints or
(h, w) tuples; ``stride`` is left out or None in some cases (it then equals the kernel). Every window fits in the
padded input (PyTorch's "Output size is too small" is never asked). PyTorch refuses padding above half the kernel
("pad should be at most half of effective kernel size", a RuntimeError): those cases expect a ValueError.
The same inputs go to both functions, so a mistake in a shared helper shows in both.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from dlquiz.grading.spec import Case, Mistake, Raises

MAX = "max_pool2d"
AVG = "avg_pool2d"


# -- cases ------------------------------------------------------------------------------------


def _both(name, x, kernel_size, **options) -> list[Case]:
    return [Case(f"{function}: {name}", function, (x, kernel_size), dict(options)) for function in (MAX, AVG)]


def _fixed_cases() -> list[Case]:
    rng = np.random.default_rng(18)

    def normal(*shape):
        return rng.standard_normal(shape)

    def negative(*shape):  # every value in [-2, -1): a padded 0 would win the max and shows in the mean
        return -rng.random(shape) - 1.0

    integers = rng.integers(-3, 3, (2, 2, 4, 4)).astype(np.float64)  # repeated maxima inside windows
    return [
        *_both("2x2 window, default stride (= kernel)", normal(2, 3, 4, 6), 2),
        *_both("stride=None given, 3x3 window", normal(1, 2, 6, 4), 3, stride=None),
        *_both("windows do not tile: floor drops the rest", normal(1, 2, 5, 7), 2),
        *_both("3x3 window, stride 2, last row and column dropped", normal(2, 1, 6, 8), 3, stride=2),
        *_both("(2, 3) window, default stride (2, 3)", normal(2, 2, 6, 9), (2, 3)),
        *_both("stride (1, 2)", normal(1, 3, 7, 8), 3, stride=(1, 2)),
        *_both("padding 1, all-negative input", negative(2, 2, 5, 6), 3, stride=2, padding=1),
        *_both("padding (0, 1), all-negative input", negative(1, 2, 4, 5), (2, 3), stride=(2, 1), padding=(0, 1)),
        *_both("padding (1, 0), tall map, all negative", negative(2, 3, 6, 3), (3, 2), stride=(2, 1), padding=(1, 0)),
        *_both("padding exactly half the kernel (2x2, padding 1)", negative(2, 1, 3, 5), 2, padding=1),
        *_both("stride larger than the kernel: gaps skipped", normal(2, 1, 8, 7), 2, stride=3),
        *_both("1x1 window, stride 1: the input itself", normal(1, 2, 3, 4), 1, stride=1),
        *_both("1x1 window, stride 2: subsampling", normal(2, 2, 5, 6), 1, stride=2),
        *_both("window as large as the map: global pooling", normal(2, 3, 4, 5), (4, 5)),
        *_both("N=1, C=1, (4, 5) window, padding 2", negative(1, 1, 5, 7), (4, 5), stride=(1, 2), padding=2),
        *_both("repeated values, stride 1", integers, 2, stride=1),
        *_both("values near 1e8, padding 1", 1e8 + normal(1, 2, 4, 4), 2, padding=1),
        *_both("padding 2 with a 2x2 window: refused", normal(1, 1, 4, 4), 2, padding=2),
        *_both(
            "padding (1, 1) with a (1, 3) window: refused for the height", normal(1, 1, 4, 5), (1, 3), padding=(1, 1)
        ),
    ]


def _random_cases() -> list[Case]:
    rng = np.random.default_rng(20240618)
    cases = []
    for index in range(6):
        square = index % 2 == 0  # alternately ints and (h, w) pairs for kernel_size, stride and padding
        N, C = (int(n) for n in rng.integers(1, 4, 2))
        H, W = (int(n) for n in rng.integers(4, 11, 2))
        kh, kw = (int(n) for n in rng.integers(2, 5, 2))
        if square:
            kw = kh
        ph, pw = int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1))
        if square:
            pw = ph
        sh, sw = (int(n) for n in rng.integers(1, 4, 2))
        options: dict = {"padding": ph if square else (ph, pw)}
        if index % 3:  # the others keep the default stride (= kernel_size)
            options["stride"] = sh if square else (sh, sw)
        H, W = max(H, kh), max(W, kw)  # every window fits
        kernel = kh if square else (kh, kw)
        x = rng.normal(float(rng.choice([-3.0, 0.0, 3.0])), float(rng.choice([0.1, 1.0, 10.0])), (N, C, H, W))
        cases += _both(f"random #{index + 1} {x.shape}, kernel {kernel}, {options}", x, kernel, **options)
    return cases


def cases() -> list[Case]:
    return _fixed_cases() + _random_cases()


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> object:
    import torch
    import torch.nn.functional as F

    x, kernel_size = case.args
    pool = F.max_pool2d if case.function == MAX else F.avg_pool2d  # avg: count_include_pad=True by default
    try:
        with torch.no_grad():
            out = pool(
                torch.from_numpy(x),
                kernel_size,
                stride=case.kwargs.get("stride"),
                padding=case.kwargs.get("padding", 0),
            )
    except RuntimeError as error:
        if "pad should be" not in str(error):
            raise
        return Raises(ValueError, f"PyTorch refuses padding above half the kernel ({error})")
    return out.numpy().copy()


# -- mistakes learners make ----------------------------------------------------------------------


def _pair(value):
    return (int(value), int(value)) if np.ndim(value) == 0 else (int(value[0]), int(value[1]))


def _pool(
    x,
    kernel_size,
    stride=None,
    padding=0,
    *,
    average,
    fill=None,
    stride_defaults_to_1=False,
    ceil=False,
    not_strided=False,
    pairs_as_w_h=False,
    pad_every_axis=False,
    check=True,
    count_real_pixels=False,
):
    """A loop-per-window numpy pooling, written like a learner would; each keyword flaw is one mistake."""
    kh, kw = _pair(kernel_size)
    sh, sw = _pair((1 if stride_defaults_to_1 else kernel_size) if stride is None else stride)
    ph, pw = _pair(padding)
    if pairs_as_w_h:  # reads every (h, w) pair as (w, h), as OpenCV and PIL write sizes
        kh, kw, sh, sw, ph, pw = kw, kh, sw, sh, pw, ph
    if check and (ph > kh // 2 or pw > kw // 2):
        raise ValueError("padding is more than half the kernel")
    if fill is None:
        fill = 0.0 if average else -np.inf
    if pad_every_axis:
        padded = np.pad(x, padding, constant_values=fill)  # np.pad(x, p) pads N and C too
    else:
        padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    real = np.pad(np.ones(x.shape[2:]), ((ph, ph), (pw, pw)))  # 1 where a pixel is real, 0 in the padding
    rounding = math.ceil if ceil else math.floor
    out_h = rounding((padded.shape[2] - kh) / sh) + 1
    out_w = rounding((padded.shape[3] - kw) / sw) + 1
    out = np.empty(padded.shape[:2] + (out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            top, left = (i, j) if not_strided else (i * sh, j * sw)
            window = padded[:, :, top : top + kh, left : left + kw]  # a slice past the end is silently shorter
            if not average:
                out[:, :, i, j] = window.max(axis=(2, 3))
            elif count_real_pixels:
                out[:, :, i, j] = window.sum(axis=(2, 3)) / real[top : top + kh, left : left + kw].sum()
            else:
                out[:, :, i, j] = window.mean(axis=(2, 3))
    return out


def _mistake(function, **flaw):
    def implementation(x, kernel_size, stride=None, padding=0):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Mean of empty slice": a ceil-mode window past the end
            return _pool(x, kernel_size, stride, padding, average=function == AVG, **flaw)

    return implementation


# Mistakes a shared helper makes in both functions: (name, flaw, English, Chinese).
_SHARED = [
    (
        "stride_defaults_to_1",
        {"stride_defaults_to_1": True},
        "With stride=None the windows moved one pixel at a time. In PyTorch stride=None means stride = kernel_size: "
        "the windows sit side by side without overlapping.",
        "stride=None 时窗口每次只移动了 1 个像素。PyTorch 中 stride=None 表示 stride = kernel_size："
        "窗口一个挨一个、互不重叠。",
    ),
    (
        "ceil_mode",
        {"ceil": True},
        "The output size was rounded up, so a last, incomplete window was kept. PyTorch (ceil_mode=False) uses "
        "floor((H + 2*padding - kernel) / stride) + 1: a window that does not fit is dropped.",
        "输出尺寸向上取整了，于是多保留了最后一个不完整的窗口。PyTorch（ceil_mode=False）用 "
        "floor((H + 2*padding - kernel) / stride) + 1：放不下的窗口直接丢掉。",
    ),
    (
        "windows_not_strided",
        {"not_strided": True},
        "Output (i, j) was taken from the window starting at row i, column j. With a stride the window starts at "
        "row i*stride_h, column j*stride_w.",
        "输出位置 (i, j) 取的是从第 i 行、第 j 列开始的窗口。"
        "有步长时，窗口应从第 i*stride_h 行、第 j*stride_w 列开始。",
    ),
    (
        "pairs_read_as_w_h",
        {"pairs_as_w_h": True},
        "The (h, w) pairs were read as (w, h). In PyTorch kernel_size=(kh, kw), stride=(sh, sw) and padding=(ph, pw) "
        "give the height first, like the (N, C, H, W) axes (OpenCV and PIL write sizes the other way round).",
        "(h, w) 二元组被当成了 (w, h)。PyTorch 中 kernel_size=(kh, kw)、stride=(sh, sw)、padding=(ph, pw) 都是高在前，"
        "和 (N, C, H, W) 的轴顺序一致（OpenCV 和 PIL 的尺寸写法正好相反）。",
    ),
    (
        "pads_every_axis",
        {"pad_every_axis": True},
        "np.pad(x, padding) pads every axis, N and C included. Pad only H and W: "
        "np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=...).",
        "np.pad(x, padding) 会填充所有轴，包括 N 和 C。只应填充 H 和 W："
        "np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=...)。",
    ),
    (
        "accepts_wide_padding",
        {"check": False},
        "Padding above half the kernel was accepted. PyTorch refuses it (some windows would hold hardly any real "
        "pixels): raise ValueError when ph > kh // 2 or pw > kw // 2.",
        "接受了超过卷积核一半的 padding。PyTorch 会拒绝（有的窗口里几乎没有真实像素）："
        "当 ph > kh // 2 或 pw > kw // 2 时抛出 ValueError。",
    ),
]

MISTAKES: list[Mistake] = [
    Mistake(
        "max_pads_with_zeros",
        MAX,
        _mistake(MAX, fill=0.0),
        "max_pool2d padded with zeros. Where every real value in a window is negative, a padded 0 wins the max. "
        "Pad with -inf (np.pad(..., constant_values=-np.inf)), as PyTorch does: padding never wins.",
        "max_pool2d 用 0 做了填充。窗口里的真实值都为负时，填充的 0 会成为最大值。"
        "应像 PyTorch 一样用 -inf 填充（np.pad(..., constant_values=-np.inf)），填充值永远不会胜出。",
    ),
    Mistake(
        "avg_ignores_padded_zeros",
        AVG,
        _mistake(AVG, count_real_pixels=True),
        "avg_pool2d divided each window by the number of real pixels in it (count_include_pad=False). PyTorch's "
        "default, count_include_pad=True, counts the padded zeros too: divide every window by kh * kw.",
        "avg_pool2d 把每个窗口除以其中真实像素的个数（即 count_include_pad=False）。PyTorch 默认 "
        "count_include_pad=True，填充的 0 也计入：每个窗口都除以 kh * kw。",
    ),
    Mistake(
        "avg_pads_with_minus_inf",
        AVG,
        _mistake(AVG, fill=-np.inf),
        "avg_pool2d padded with -inf (the max-pooling padding), so every window touching the border averages to "
        "-inf. Average pooling pads with zeros.",
        "avg_pool2d 用 -inf 填充了（那是最大池化的填充），于是所有碰到边界的窗口平均值都是 -inf。平均池化用 0 填充。",
    ),
    *[
        Mistake(f"{prefix}_{name}", function, _mistake(function, **flaw), en, zh)
        for name, flaw, en, zh in _SHARED
        for prefix, function in (("max", MAX), ("avg", AVG))
    ],
]
