"""Grading spec for `padding`: output sizes and errors as torch.nn.functional.conv1d produces them."""

import math

import numpy as np

from dlquiz.grading.spec import Case, Mistake, Raises


def _size(name, size, kernel, **options):
    return Case(f"conv_output_size: {name}", "conv_output_size", (size, kernel), dict(options))


def _same(name, kernel, **options):
    return Case(f"same_padding: {name}", "same_padding", (kernel,), dict(options))


def cases() -> list[Case]:
    fixed = [
        _size("no padding, stride 1 (n - a + 1)", 5, 3),
        _size("kernel 1 keeps the size", 5, 1),
        _size("kernel as long as the input", 5, 5),
        _size("even kernel", 6, 4),
        _size("padding keeps the size", 7, 3, padding=1),
        _size("padding on both sides", 6, 4, padding=1),
        _size("stride 2, exact", 7, 3, stride=2),
        _size("stride 2 floors", 8, 3, stride=2),
        _size("stride 3 floors", 11, 4, stride=3),
        _size("ResNet stem 224 -> 112", 224, 7, stride=2, padding=3),
        _size("stride larger than kernel", 10, 2, stride=4),
        _size("dilation 2", 10, 3, dilation=2),
        _size("dilation with 'same' padding", 32, 3, padding=2, dilation=2),
        _size("stride, padding and dilation", 15, 5, stride=2, padding=1, dilation=3),
        _size("padding makes a tiny input fit", 3, 5, padding=1),
        _size("one-element input", 1, 1),
        _size("empty output: kernel longer than input", 2, 5),
        _size("empty output: dilated kernel too long", 4, 3, dilation=2),
        _size("empty output with stride 2", 2, 3, stride=2),
        _size("empty output: padding not enough", 1, 5, padding=1),
        _same("kernel 1", 1),
        _same("kernel 3", 3),
        _same("kernel 5", 5),
        _same("kernel 7", 7),
        _same("kernel 3, dilation 2", 3, dilation=2),
        _same("kernel 5, dilation 3", 5, dilation=3),
        _same("kernel 1, dilation 5", 1, dilation=5),
        _same("even kernel 2: impossible", 2),
        _same("even kernel 4: impossible", 4),
        _same("even kernel 2, dilation 3: impossible", 2, dilation=3),
        _same("even kernel 2, dilation 2: possible", 2, dilation=2),
        _same("even kernel 4, dilation 2: possible", 4, dilation=2),
    ]
    rng = np.random.default_rng(20240602)
    random = []
    for i in range(12):
        size, kernel = int(rng.integers(1, 65)), int(rng.integers(1, 8))
        options = {
            "stride": int(rng.integers(1, 5)),
            "padding": int(rng.integers(0, 4)),
            "dilation": int(rng.integers(1, 4)),
        }
        random.append(_size(f"random #{i + 1}", size, kernel, **options))
    for i in range(4):
        random.append(_same(f"random #{i + 1}", int(rng.integers(1, 10)), dilation=int(rng.integers(1, 5))))
    return fixed + random


def _conv1d_length(size, kernel, stride=1, padding=0, dilation=1):
    """The output length conv1d produces, or None when PyTorch refuses the input."""
    import torch
    import torch.nn.functional as F

    x = torch.zeros(1, 1, size, dtype=torch.float64)
    w = torch.zeros(1, 1, kernel, dtype=torch.float64)
    try:
        return F.conv1d(x, w, stride=stride, padding=padding, dilation=dilation).shape[-1]
    except RuntimeError:
        return None


def reference(case: Case):
    if case.function == "conv_output_size":
        size, kernel = case.args
        options = {"stride": 1, "padding": 0, "dilation": 1, **case.kwargs}
        length = _conv1d_length(size, kernel, **options)
        if length is None:
            padded = size + 2 * options["padding"]
            span = options["dilation"] * (kernel - 1) + 1
            return Raises(
                ValueError,
                f"the padded input ({padded}) is shorter than the dilated kernel ({span}), so conv1d has no output",
            )
        return int(length)
    (kernel,) = case.args
    dilation = case.kwargs.get("dilation", 1)
    size = dilation * (kernel - 1) + 9  # long enough for conv1d to accept every candidate padding
    for padding in range(dilation * (kernel - 1) + 1):
        if _conv1d_length(size, kernel, padding=padding, dilation=dilation) == size:
            return padding
    return Raises(
        ValueError, f"dilation·(kernel−1) = {dilation * (kernel - 1)} is odd, so no symmetric padding keeps the size"
    )


# --- wrong implementations learners really write (used only to diagnose a failure) ---


def _checked(out):
    if out < 1:
        raise ValueError("empty output")
    return out


def _no_dilation(size, kernel, stride=1, padding=0, dilation=1):
    return _checked((size + 2 * padding - kernel) // stride + 1)


def _true_division(size, kernel, stride=1, padding=0, dilation=1):
    out = (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    return _checked(out)


def _truncates(size, kernel, stride=1, padding=0, dilation=1):
    return _checked(int((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1)


def _ceil(size, kernel, stride=1, padding=0, dilation=1):
    return _checked(math.ceil((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1)


def _padding_once(size, kernel, stride=1, padding=0, dilation=1):
    return _checked((size + padding - dilation * (kernel - 1) - 1) // stride + 1)


def _no_plus_one(size, kernel, stride=1, padding=0, dilation=1):
    return _checked((size + 2 * padding - dilation * (kernel - 1) - 1) // stride)


def _no_error(size, kernel, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _same_no_error(kernel, dilation=1):
    return dilation * (kernel - 1) // 2


def _same_no_dilation(kernel, dilation=1):
    if (kernel - 1) % 2:
        raise ValueError("even kernel")
    return (kernel - 1) // 2


def _same_half_kernel(kernel, dilation=1):
    return kernel // 2


def _same_rejects_every_even_kernel(kernel, dilation=1):
    if kernel % 2 == 0:
        raise ValueError("even kernel")
    return dilation * (kernel - 1) // 2


def _same_true_division(kernel, dilation=1):
    return dilation * (kernel - 1) / 2


MISTAKES = [
    Mistake(
        "no_value_error",
        "conv_output_size",
        _no_error,
        "You return the formula's value even when it is 0 or negative. That output would be empty: PyTorch refuses "
        "such an input, so raise ValueError when the padded input is shorter than the dilated kernel.",
        "公式结果为 0 或负数时你仍然返回了它。这样的输出是空的：PyTorch 会拒绝这种输入，所以当填充后的输入比膨胀后的卷积核还短时，应抛出 ValueError。",
    ),
    Mistake(
        "true_division",
        "conv_output_size",
        _true_division,
        "You divide by the stride with `/`, which gives a float (and a fraction when the stride does not divide "
        "evenly). The window count is whole: use floor division `//`.",
        "你用 `/` 除以 stride，得到的是浮点数（不能整除时还带小数）。窗口个数是整数：要用向下取整的 `//`。",
    ),
    Mistake(
        "no_dilation",
        "conv_output_size",
        _no_dilation,
        "Your formula ignores dilation: a kernel of size k with dilation d spans d·(k−1)+1 inputs, so subtract "
        "d·(k−1)+1, not k.",
        "你的公式忽略了 dilation：大小为 k、膨胀为 d 的卷积核覆盖 d·(k−1)+1 个输入，所以要减去 d·(k−1)+1，而不是 k。",
    ),
    Mistake(
        "truncates_toward_zero",
        "conv_output_size",
        _truncates,
        "You round with int(...), which truncates toward zero: for a negative numerator that is not the floor, so "
        "an empty output slips through as 1. Check that the padded input covers the dilated kernel before "
        "dividing, and use `//`.",
        "你用 int(...) 取整，它向 0 截断：分子为负时这不是向下取整，于是本应为空的输出变成了 1。请在除法之前检查填充后的输入是否放得下膨胀后的卷积核，并使用 `//`。",
    ),
    Mistake(
        "ceil",
        "conv_output_size",
        _ceil,
        "You round up (ceil). A convolution only counts windows that fit entirely, so it rounds down: "
        "⌊(n + 2p − d·(k−1) − 1) / s⌋ + 1. (Rounding up is pooling's ceil_mode=True.)",
        "你向上取整（ceil）了。卷积只计算完整放得下的窗口，所以向下取整：⌊(n + 2p − d·(k−1) − 1) / s⌋ + 1。（向上取整是池化的 ceil_mode=True。）",
    ),
    Mistake(
        "padding_once",
        "conv_output_size",
        _padding_once,
        "You add the padding once, but p zeros go on each side: the padded length is n + 2p.",
        "你只加了一次 padding，但两边各补 p 个 0：填充后的长度是 n + 2p。",
    ),
    Mistake(
        "no_plus_one",
        "conv_output_size",
        _no_plus_one,
        "Your count is one short: the first window sits at position 0 before any stride step, hence the "
        "“+ 1” in n − a + 1.",
        "你的结果少了 1：在走任何一步之前，第一个窗口就已经在位置 0 上了，这就是 n − a + 1 中的 “+ 1”。",
    ),
    Mistake(
        "same_even_kernel_no_error",
        "same_padding",
        _same_no_error,
        "For an even kernel (with odd dilation) d·(k−1) is odd, so no symmetric padding keeps the size — you "
        "rounded down instead of raising ValueError. PyTorch's padding='same' pads one side more in that case.",
        "卷积核为偶数（且 dilation 为奇数）时 d·(k−1) 是奇数，不存在保持尺寸的对称 padding——你向下取整了，而不是抛出 ValueError。PyTorch 的 padding='same' 在这种情况下会一边多补一个。",
    ),
    Mistake(
        "same_rejects_every_even_kernel",
        "same_padding",
        _same_rejects_every_even_kernel,
        "You raise for every even kernel, but with an even dilation d·(k−1) is even again (k=2, d=2 → p=1). "
        "Test whether d·(k−1) is even, not k.",
        "你对所有偶数卷积核都抛出了错误，但 dilation 为偶数时 d·(k−1) 又是偶数（k=2, d=2 → p=1）。应判断 d·(k−1) 是否为偶数，而不是 k。",
    ),
    Mistake(
        "same_no_dilation",
        "same_padding",
        _same_no_dilation,
        "Your same_padding ignores dilation: the dilated kernel spans d·(k−1)+1 inputs, so p = d·(k−1)/2.",
        "你的 same_padding 忽略了 dilation：膨胀后的卷积核覆盖 d·(k−1)+1 个输入，所以 p = d·(k−1)/2。",
    ),
    Mistake(
        "same_half_kernel",
        "same_padding",
        _same_half_kernel,
        "You return kernel // 2. That is right only for odd kernels without dilation; the general answer is "
        "p = d·(k−1)/2, and it exists only when d·(k−1) is even.",
        "你返回的是 kernel // 2。它只在卷积核为奇数且没有 dilation 时才对；一般的答案是 p = d·(k−1)/2，并且只有 d·(k−1) 为偶数时才存在。",
    ),
    Mistake(
        "same_true_division",
        "same_padding",
        _same_true_division,
        "You divide with `/`, which returns a float (and 1.5 for an impossible case). Padding is a whole number: "
        "check that d·(k−1) is even, then use `//`.",
        "你用 `/` 做除法，得到的是浮点数（不可能的情况下还会得到 1.5）。padding 是整数：先检查 d·(k−1) 是否为偶数，再用 `//`。",
    ),
]
