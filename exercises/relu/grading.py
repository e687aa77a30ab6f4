"""Grading spec for `relu`: cases, the PyTorch reference, and the mistakes learners make."""

import numpy as np

from dlquiz.grading.spec import Case, Mistake


def cases() -> list[Case]:
    rng = np.random.default_rng(20240601)
    with_zeros = np.array([[-1.5, 0.0, 2.0], [0.0, -0.0, 1e-12]])  # exact zeros, a negative zero, a tiny positive
    fixed = [
        Case("relu: all zeros", "relu", (np.zeros((2, 3)),)),
        Case("relu: mixed signs", "relu", (np.array([-2.0, -0.5, 0.0, 0.5, 2.0]),)),
        Case("relu: one element (N=1)", "relu", (np.array([-3.0]),)),
        Case("relu: all negative", "relu", (-rng.random((3, 4)) - 0.1,)),
        Case("relu: all positive", "relu", (rng.random((4, 3)) + 0.1,)),
        Case("relu: values above 1 kept", "relu", (np.array([0.5, 1.0, 6.0, 7.5, 100.0]),)),
        Case("relu: huge and tiny magnitudes", "relu", (np.array([-1e300, -1e-300, 1e-300, 1e300]),)),
        Case("relu: (N, C, H, W) with N != C", "relu", (rng.standard_normal((2, 3, 4, 5)),)),
        Case("relu_grad: exactly zero", "relu_grad", (np.array([0.0, -0.0, 0.0]),)),
        Case("relu_grad: zeros among others", "relu_grad", (with_zeros,)),
        Case("relu_grad: one element (N=1)", "relu_grad", (np.array([2.5]),)),
        Case("relu_grad: all negative", "relu_grad", (-rng.random((3, 2)) - 0.1,)),
        Case("relu_grad: large positives", "relu_grad", (np.array([3.0, 50.0, 1e300]),)),
        Case("relu_grad: (N, C, H, W) with N != C", "relu_grad", (rng.standard_normal((2, 3, 4, 5)),)),
    ]
    random = []
    for shape in [(7,), (5, 6), (2, 3, 8), (3, 2, 5, 5)]:
        x = rng.standard_normal(shape) * rng.choice([0.01, 1.0, 1e3])
        random.append(Case(f"relu: random {shape}", "relu", (x,)))
        random.append(Case(f"relu_grad: random {shape}", "relu_grad", (x.copy(),)))
    return fixed + random


def reference(case: Case) -> np.ndarray:
    import torch

    x = torch.tensor(case.args[0], dtype=torch.float64)  # a copy: the case's array stays as it was
    if case.function == "relu":
        return torch.relu(x).numpy()
    x.requires_grad_(True)
    # d sum(relu(x)) / dx is relu's elementwise derivative. (Backward from a scalar rather than with
    # backward(ones_like(x)) also spares torch a 0.4 s import of sympy to check the grad's shape.)
    torch.relu(x).sum().backward()
    return x.grad.numpy()


# --- wrong implementations learners really write (used only to diagnose a failure) ---


def _relu_keeps_negatives(x):
    return np.minimum(x, 0.0)


def _relu_abs(x):
    return np.abs(x)


def _relu_clipped_at_one(x):
    return np.clip(x, 0.0, 1.0)


def _relu_clipped_at_six(x):
    return np.clip(x, 0.0, 6.0)


def _relu_leaky(x):
    return np.where(x > 0, x, 0.01 * x)


def _grad_one_at_zero(x):
    return (x >= 0).astype(x.dtype)


def _grad_half_at_zero(x):
    return np.heaviside(x, 0.5)


def _grad_sign(x):
    return np.sign(x)


def _grad_is_relu(x):
    return np.maximum(x, 0.0)


MISTAKES = [
    Mistake(
        "relu_keeps_negatives",
        "relu",
        _relu_keeps_negatives,
        "Your relu keeps the negative values and zeroes the positive ones — the comparison is the wrong way round "
        "(np.minimum instead of np.maximum, or x > 0 swapped for x < 0).",
        "你的 relu 保留了负数、把正数变成了 0——比较方向反了（应该用 np.maximum 而不是 np.minimum，或把 x < 0 写成了 x > 0）。",
    ),
    Mistake(
        "relu_abs",
        "relu",
        _relu_abs,
        "Your relu returns |x|: negative inputs must become 0, not change sign.",
        "你的 relu 返回的是 |x|：负数输入应该变成 0，而不是取相反数。",
    ),
    Mistake(
        "relu_clipped_at_one",
        "relu",
        _relu_clipped_at_one,
        "Your relu also clips values above 1 (np.clip(x, 0, 1)); ReLU has no upper bound, so only the lower side is cut.",
        "你的 relu 把大于 1 的值也截断了（np.clip(x, 0, 1)）；ReLU 没有上界，只截掉负的一侧。",
    ),
    Mistake(
        "relu_clipped_at_six",
        "relu",
        _relu_clipped_at_six,
        "Your relu clips at 6 — that is ReLU6 (used in MobileNet). Plain ReLU has no upper bound.",
        "你的 relu 在 6 处截断了——那是 ReLU6（MobileNet 里用的）。普通 ReLU 没有上界。",
    ),
    Mistake(
        "relu_leaky",
        "relu",
        _relu_leaky,
        "Your relu multiplies negative inputs by 0.01 — that is Leaky ReLU. ReLU sets them to exactly 0.",
        "你的 relu 把负数乘以 0.01——那是 Leaky ReLU。ReLU 会把它们直接设为 0。",
    ),
    Mistake(
        "grad_one_at_zero",
        "relu_grad",
        _grad_one_at_zero,
        "Your relu_grad gives 1 at x == 0 (x >= 0). PyTorch's autograd gives 0 there: use the strict x > 0.",
        "你的 relu_grad 在 x == 0 处给出了 1（用了 x >= 0）。PyTorch 的 autograd 在那里取 0：要用严格的 x > 0。",
    ),
    Mistake(
        "grad_half_at_zero",
        "relu_grad",
        _grad_half_at_zero,
        "Your relu_grad gives 0.5 at x == 0 (np.heaviside(x, 0.5)). PyTorch's autograd gives 0 there.",
        "你的 relu_grad 在 x == 0 处给出 0.5（np.heaviside(x, 0.5)）。PyTorch 的 autograd 在那里取 0。",
    ),
    Mistake(
        "grad_sign",
        "relu_grad",
        _grad_sign,
        "Your relu_grad is np.sign(x), which gives -1 for negative inputs. ReLU is flat there, so its slope is 0.",
        "你的 relu_grad 用了 np.sign(x)，负数处得到 -1。ReLU 在负半轴是平的，斜率为 0。",
    ),
    Mistake(
        "grad_is_relu",
        "relu_grad",
        _grad_is_relu,
        "Your relu_grad returns relu(x) itself. The derivative is the slope: 1 where x > 0, 0 elsewhere.",
        "你的 relu_grad 返回的是 relu(x) 本身。导数是斜率：x > 0 处为 1，其余为 0。",
    ),
]
