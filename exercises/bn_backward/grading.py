"""Grading for the bn_backward exercise: BatchNorm's gradients in training mode, against autograd.

Contract for the cases: ``x`` and ``grad_out`` are (N, C), (N, C, L) or (N, C, H, W) float64 of one shape,
``gamma`` is (C,). Each channel has more than one value (N * L > 1 or N * H * W > 1): PyTorch refuses a single
value per channel in training mode. The reference differentiates ``F.batch_norm(training=True)`` with autograd.
"""

from __future__ import annotations

import numpy as np

from dlquiz.grading.spec import Case, Mistake

FUNCTION = "batchnorm_backward"


# -- cases ------------------------------------------------------------------------------------


def _case(name, grad_out, x, gamma, **kwargs) -> Case:
    return Case(name=f"{FUNCTION}: {name}", function=FUNCTION, args=(grad_out, x, gamma), kwargs=kwargs)


def _fixed_cases() -> list[Case]:
    rng = np.random.default_rng(32)
    n = rng.normal

    def gamma(C):
        return rng.uniform(0.5, 2.0, C) * rng.choice([-1.0, 1.0], C)  # (C,) some negative, none near 0

    x = n(1.0, 2.0, (4, 3))  # (N, C)
    cases = [_case("(N, C)", n(size=x.shape), x, gamma(3))]
    x = n(size=(2, 5))  # (N, C) the smallest batch
    cases.append(_case("(N, C): two samples, N=2", n(size=x.shape), x, gamma(5)))
    x = n(-1.0, 3.0, (1, 3, 5))  # (N, C, L)
    cases.append(_case("(N, C, L): one sample, N=1", n(size=x.shape), x, gamma(3)))
    x = n(0.5, 1.5, (4, 3, 3))  # (N, C, L) with L == C: a (C,) vector also fits the last axis
    cases.append(_case("(N, C, L): L equals C", n(size=x.shape), x, gamma(3)))
    x = n(0.0, 2.0, (2, 3, 4, 5))  # (N, C, H, W)
    cases.append(_case("(N, C, H, W)", n(size=x.shape), x, gamma(3)))
    x = n(1.0, 1.0, (1, 2, 3, 3))  # (N, C, H, W) one image, 9 values per channel
    cases.append(_case("(N, C, H, W): one image, N=1", n(size=x.shape), x, gamma(2)))
    x = n(size=(5, 1, 3))  # (N, C, L) a single channel
    cases.append(_case("one channel, C=1", n(size=x.shape), x, gamma(1)))
    x = n(size=(3, 4, 2, 2))  # a constant upstream gradient: the mean path cancels it, grad_x is 0
    cases.append(_case("constant grad_out (grad_x = 0)", np.ones(x.shape), x, gamma(4)))
    x = n(2.0, 1.5, (6, 2, 3))  # grad_out = x: the variance path cancels almost all of it
    cases.append(_case("grad_out equal to x", x.copy(), x, gamma(2)))
    x = np.zeros((3, 4))  # (N, C) variance 0: only eps keeps the division finite
    cases.append(_case("all-zero x (variance 0)", n(size=x.shape), x, gamma(4)))
    x = 3.0 + 1e-4 * n(size=(6, 3))  # (N, C) variance ~1e-8, far below eps
    cases.append(_case("tiny variance, eps matters", n(size=x.shape), x, gamma(3)))
    x = n(size=(3, 2, 4))  # (N, C, L)
    cases.append(_case("eps=1e-3", n(size=x.shape), x, gamma(2), eps=1e-3))
    x = 1e6 + n(size=(8, 3))  # (N, C) large offset, unit spread
    cases.append(_case("x near 1e6", n(size=x.shape), x, gamma(3)))
    x = n(size=(4, 3, 2))  # gamma with a zero: that channel passes no gradient to x
    cases.append(_case("gamma with a zero", 1e3 * n(size=x.shape), x, np.array([0.0, -1.5, 0.7])))
    return cases


def _random_cases() -> list[Case]:
    rng = np.random.default_rng(20240632)
    cases = []
    for index in range(6):
        ndim = (2, 3, 4)[index % 3]
        C = int(rng.integers(1, 6))
        N = int(rng.integers(1, 5))
        spatial = tuple(int(size) for size in rng.integers(1, 5, ndim - 2))
        if N * int(np.prod(spatial)) < 2:
            N = 2  # more than one value per channel
        x = rng.normal(rng.normal(0, 2), rng.uniform(0.1, 3.0), (N, C) + spatial)
        grad_out = rng.normal(0.0, float(rng.choice([0.1, 1.0, 10.0])), x.shape)
        gamma = rng.normal(0.0, 1.5, C)
        kwargs = {"eps": float(rng.choice([1e-5, 1e-3]))} if index % 2 else {}
        cases.append(_case(f"random {x.shape}", grad_out, x, gamma, **kwargs))
    return cases


def cases() -> list[Case]:
    return _fixed_cases() + _random_cases()


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> object:
    import torch
    import torch.nn.functional as F

    grad_out, x, gamma = (torch.from_numpy(array).double() for array in case.args)
    x.requires_grad_(True)
    gamma.requires_grad_(True)
    beta = torch.zeros_like(gamma, requires_grad=True)  # its value changes no gradient
    out = F.batch_norm(x, None, None, weight=gamma, bias=beta, training=True, eps=case.kwargs.get("eps", 1e-5))
    # The gradients of sum(out * grad_out) are the vector-Jacobian products with grad_out. (Passing grad_outputs=
    # instead gives the same numbers but makes torch import sympy on the first call: half a second.)
    grads = torch.autograd.grad((out * grad_out).sum(), (x, gamma, beta))
    return tuple(grad.numpy().copy() for grad in grads)


# -- mistakes learners make ----------------------------------------------------------------------


def _backward(
    grad_out,
    x,
    gamma,
    eps=1e-5,
    *,
    mean_path=True,
    variance_path=True,
    unbiased=False,
    batch_axis_only=False,
    count_is_batch_size=False,
    eps_mode="inside",
    gamma_uses_x=False,
    grad_x_without_gamma=False,
    beta_mean=False,
    swap_gamma_beta=False,
):
    """A numpy BatchNorm backward; each keyword flaw switches on one learner mistake."""
    C = x.shape[1]
    axes = (0,) if batch_axis_only else (0,) + tuple(range(2, x.ndim))
    shape = (1, C) + (1,) * (x.ndim - 2)
    n = x.shape[0] if count_is_batch_size or batch_axis_only else x.size // C  # values per channel, or N
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, ddof=1 if unbiased else 0)
    std = {"inside": np.sqrt(var + eps), "none": np.sqrt(var), "outside": np.sqrt(var) + eps}[eps_mode]
    x_hat = (x - mean) / std
    grad_beta = grad_out.mean(axis=axes) if beta_mean else grad_out.sum(axis=axes)
    grad_gamma = (grad_out * (x if gamma_uses_x else x_hat)).sum(axis=axes)
    g = grad_out if grad_x_without_gamma else grad_out * gamma.reshape(shape)
    total = n * g  # the cs231n form: inv_std / n * (n * g - sum(g) - x_hat * sum(g * x_hat))
    if mean_path:
        total = total - g.sum(axis=axes, keepdims=True)
    if variance_path:
        total = total - x_hat * (g * x_hat).sum(axis=axes, keepdims=True)
    grad_x = total / (n * std)
    if swap_gamma_beta:
        return grad_x, grad_beta, grad_gamma
    return grad_x, grad_gamma, grad_beta


def _mistake(**flaw):
    def implementation(*args, **kwargs):
        with np.errstate(all="ignore"):
            return _backward(*args, **kwargs, **flaw)

    return implementation


def _m(name, flaw, message_en, message_zh) -> Mistake:
    return Mistake(name, FUNCTION, _mistake(**flaw), message_en, message_zh)


MISTAKES: list[Mistake] = [
    _m(
        "statistics_as_constants",
        {"mean_path": False, "variance_path": False},
        "grad_x = gamma * grad_out / sqrt(var + eps) treats the batch mean and variance as constants. In training "
        "mode they are computed from x, so x reaches the output three ways: "
        "grad_x = inv_std * (g - mean(g) - x_hat * mean(g * x_hat)), with g = grad_out * gamma.",
        "grad_x = gamma * grad_out / sqrt(var + eps) 把批均值和方差当成了常数。训练模式下它们是由 x 算出来的，"
        "所以 x 通过三条路径影响输出：grad_x = inv_std * (g - mean(g) - x_hat * mean(g * x_hat))，"
        "其中 g = grad_out * gamma。",
    ),
    _m(
        "no_variance_path",
        {"variance_path": False},
        "grad_x misses the path through the variance: subtract x_hat * mean(g * x_hat) as well as mean(g), "
        "with g = grad_out * gamma and the means taken per channel.",
        "grad_x 漏掉了经过方差的那条路径：除了减去 mean(g)，还要减去 x_hat * mean(g * x_hat)"
        "（g = grad_out * gamma，均值按通道求）。",
    ),
    _m(
        "no_mean_path",
        {"mean_path": False},
        "grad_x misses the path through the mean: subtract mean(g) per channel (g = grad_out * gamma) as well as "
        "x_hat * mean(g * x_hat). With a constant grad_out, grad_x must be 0.",
        "grad_x 漏掉了经过均值的那条路径：除了 x_hat * mean(g * x_hat)，还要按通道减去 mean(g)"
        "（g = grad_out * gamma）。grad_out 为常数时，grad_x 应当为 0。",
    ),
    _m(
        "unbiased_variance",
        {"unbiased": True},
        "The variance was the unbiased one (divided by n - 1). Training-mode BatchNorm normalises with the biased "
        "variance (divide by n, np.var's default), so its gradient uses that one too.",
        "方差用了无偏方差（除以 n - 1）。训练模式的 BatchNorm 用有偏方差归一化（除以 n，np.var 的默认做法），"
        "梯度也要用它。",
    ),
    _m(
        "batch_axis_only",
        {"batch_axis_only": True},
        "The sums and means ran over axis 0 only, as for (N, C) input. For (N, C, L) and (N, C, H, W) each channel "
        "has N*L or N*H*W values: reduce over every axis except 1, axis=(0,) + tuple(range(2, x.ndim)).",
        "求和与求均值只在第 0 轴上做了，那只适用于 (N, C)。对 (N, C, L) 和 (N, C, H, W)，每个通道有 N*L 或 N*H*W "
        "个数：要在除第 1 轴以外的所有轴上归约，axis=(0,) + tuple(range(2, x.ndim))。",
    ),
    _m(
        "count_is_batch_size",
        {"count_is_batch_size": True},
        "The formula divided by N = x.shape[0], but each channel has n = N*L or N*H*W values. Use n = x.size // C "
        "wherever the (N, C) formula has N.",
        "公式里除以的是 N = x.shape[0]，但每个通道有 n = N*L 或 N*H*W 个数。(N, C) 公式里出现 N 的地方都要换成 "
        "n = x.size // C。",
    ),
    _m(
        "no_eps",
        {"eps_mode": "none"},
        "eps is missing: the standard deviation is sqrt(var + eps), not sqrt(var). Without it a channel of "
        "constant values divides by zero, and tiny variances blow up.",
        "漏掉了 eps：标准差是 sqrt(var + eps)，不是 sqrt(var)。没有它，取值全相同的通道会除以 0，"
        "方差很小时梯度会暴涨。",
    ),
    _m(
        "eps_outside_sqrt",
        {"eps_mode": "outside"},
        "eps was added outside the square root: sqrt(var) + eps. BatchNorm uses sqrt(var + eps); the difference "
        "shows when the variance is tiny.",
        "eps 加在了根号外面：sqrt(var) + eps。BatchNorm 用的是 sqrt(var + eps)；方差很小时两者差别很大。",
    ),
    _m(
        "grad_gamma_uses_x",
        {"gamma_uses_x": True},
        "grad_gamma summed grad_out * x. gamma multiplies x_hat, the normalised input, so "
        "grad_gamma = sum(grad_out * x_hat) over every axis except the channel axis.",
        "grad_gamma 求的是 grad_out * x 的和。gamma 乘的是归一化后的 x_hat，所以 "
        "grad_gamma = sum(grad_out * x_hat)，在除通道轴以外的所有轴上求和。",
    ),
    _m(
        "grad_x_without_gamma",
        {"grad_x_without_gamma": True},
        "grad_x forgot gamma: out = gamma * x_hat + beta, so the gradient reaching x_hat is grad_out * gamma "
        "(per channel) before it flows back to x.",
        "grad_x 漏掉了 gamma：out = gamma * x_hat + beta，所以流到 x_hat 的梯度是 grad_out * gamma（按通道），"
        "然后才传回 x。",
    ),
    _m(
        "grad_beta_mean",
        {"beta_mean": True},
        "grad_beta averaged grad_out. beta is added to every value of its channel, so its gradient is the sum: "
        "grad_beta = grad_out summed over every axis except the channel axis.",
        "grad_beta 对 grad_out 求了平均。beta 加到了所在通道的每一个数上，所以梯度是求和："
        "grad_beta = grad_out 在除通道轴以外的所有轴上的和。",
    ),
    _m(
        "gamma_beta_swapped",
        {"swap_gamma_beta": True},
        "grad_gamma and grad_beta came back in the wrong order: return (grad_x, grad_gamma, grad_beta).",
        "grad_gamma 和 grad_beta 的返回顺序反了：应返回 (grad_x, grad_gamma, grad_beta)。",
    ),
]
