"""Grading for the batchnorm exercise: cases, PyTorch's answer, and the mistakes learners make.

Contract for the cases: ``x`` is (N, C), (N, C, L) or (N, C, H, W); every other array is (C,).
In training mode each channel always has more than one value (N * L > 1 or N * H * W > 1):
PyTorch refuses a single value per channel ("Expected more than 1 value per channel when
training"), so the grader never asks for it. N = 1 with a spatial size above 1 is asked.
"""

from __future__ import annotations

import numpy as np

from dlquiz.grading.spec import Case, Mistake

FUNCTION = "batchnorm_forward"


# -- cases ------------------------------------------------------------------------------------


def _case(name, x, gamma, beta, running_mean, running_var, training, **kwargs) -> Case:
    return Case(
        name=name,
        function=FUNCTION,
        args=(x, gamma, beta, running_mean, running_var, training),
        kwargs=kwargs,
    )


def _params(rng, C):
    """gamma, beta, running_mean, running_var for C channels, none of them trivial."""
    gamma = rng.uniform(0.5, 2.0, C)  # (C,)
    beta = rng.normal(0.0, 1.0, C)  # (C,)
    running_mean = rng.normal(0.0, 0.5, C)  # (C,)
    running_var = rng.uniform(0.5, 2.0, C)  # (C,)
    return gamma, beta, running_mean, running_var


def _fixed_cases() -> list[Case]:
    rng = np.random.default_rng(1)
    cases = []

    x = rng.normal(1.0, 2.0, (4, 3))  # (N, C)
    cases.append(_case("train (N, C): default momentum and eps", x, *_params(rng, 3), True))

    x = rng.normal(0.0, 1.0, (2, 5))  # (N, C) the smallest batch: unbiased var is 2x the biased one
    cases.append(_case("train (N, C): two samples, N=2", x, *_params(rng, 5), True, momentum=0.2))

    x = np.zeros((3, 4))  # (N, C) variance 0: only eps keeps the division finite
    cases.append(_case("train: all zeros (variance 0)", x, *_params(rng, 4), True, momentum=0.1, eps=1e-5))

    x = 3.0 + 1e-4 * rng.normal(0.0, 1.0, (6, 3))  # (N, C) variance ~1e-8, far below eps
    cases.append(_case("train: tiny variance, eps matters", x, *_params(rng, 3), True, momentum=0.3, eps=1e-5))

    x = rng.normal(0.0, 1.0, (1, 3, 5))  # (N, C, L) one sample, 5 values per channel
    cases.append(_case("train (N, C, L): one sample, N=1", x, *_params(rng, 3), True, momentum=0.2))

    x = rng.normal(-1.0, 3.0, (3, 4, 6))  # (N, C, L)
    cases.append(_case("train (N, C, L) with N != C", x, *_params(rng, 4), True, momentum=0.05, eps=1e-3))

    x = rng.normal(0.5, 1.5, (4, 3, 3))  # (N, C, L) with L == C: a (C,) vector also fits the last axis
    cases.append(_case("train (N, C, L): L equals C", x, *_params(rng, 3), True, momentum=0.1))

    x = rng.normal(0.0, 2.0, (2, 3, 4, 5))  # (N, C, H, W)
    cases.append(_case("train (N, C, H, W)", x, *_params(rng, 3), True, momentum=0.25))

    x = rng.normal(1.0, 1.0, (1, 2, 3, 3))  # (N, C, H, W) one image, 9 values per channel
    cases.append(_case("train (N, C, H, W): one image, N=1", x, *_params(rng, 2), True, momentum=0.7))

    x = 1e6 + rng.normal(0.0, 1.0, (8, 3))  # (N, C) large offset, unit spread
    cases.append(_case("train: values near 1e6", x, *_params(rng, 3), True, momentum=0.1))

    x = rng.normal(0.0, 1.0, (5, 3))  # (N, C)
    cases.append(_case("eval (N, C)", x, *_params(rng, 3), False, momentum=0.2))

    x = rng.normal(0.0, 1.0, (1, 4))  # (N, C) one sample is fine in eval mode
    cases.append(_case("eval (N, C): one sample, N=1", x, *_params(rng, 4), False))

    x = rng.normal(0.0, 2.0, (2, 3, 4, 4))  # (N, C, H, W)
    cases.append(_case("eval (N, C, H, W)", x, *_params(rng, 3), False, momentum=0.3))

    x = rng.normal(0.0, 1e-3, (4, 3))  # (N, C)
    gamma, beta, running_mean, _ = _params(rng, 3)
    running_var = np.array([1e-8, 1e-6, 4e-7])  # (C,) tiny: eps dominates
    name = "eval: tiny running_var, eps matters"
    cases.append(_case(name, x, gamma, beta, running_mean, running_var, False, eps=1e-5))
    return cases


def _random_cases() -> list[Case]:
    rng = np.random.default_rng(20240601)
    cases = []
    for index in range(8):
        ndim = (2, 3, 4)[index % 3]
        C = int(rng.integers(1, 6))
        N = int(rng.integers(1, 5))
        spatial = tuple(int(size) for size in rng.integers(1, 5, ndim - 2))
        training = index % 4 != 3
        if training and N * int(np.prod(spatial)) < 2:
            N = 2  # PyTorch needs more than one value per channel in training mode
        x = rng.normal(rng.normal(0, 2), rng.uniform(0.1, 3.0), (N, C) + spatial)
        momentum = float(rng.choice([0.05, 0.1, 0.2, 0.3, 0.7, 0.9]))
        eps = float(rng.choice([1e-5, 1e-3]))
        mode = "train" if training else "eval"
        cases.append(_case(f"{mode}: random {x.shape}", x, *_params(rng, C), training, momentum=momentum, eps=eps))
    return cases


def cases() -> list[Case]:
    return _fixed_cases() + _random_cases()


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> object:
    import torch
    import torch.nn.functional as F

    x, gamma, beta, running_mean, running_var, training = case.args
    momentum = case.kwargs.get("momentum", 0.1)
    eps = case.kwargs.get("eps", 1e-5)
    # F.batch_norm updates the running tensors in place: hand it clones and read them back.
    new_mean = torch.from_numpy(running_mean).double().clone()
    new_var = torch.from_numpy(running_var).double().clone()
    with torch.no_grad():
        out = F.batch_norm(
            torch.from_numpy(x).double(),
            new_mean,
            new_var,
            weight=torch.from_numpy(gamma).double(),
            bias=torch.from_numpy(beta).double(),
            training=training,
            momentum=momentum,
            eps=eps,
        )
    return out.numpy().copy(), new_mean.numpy().copy(), new_var.numpy().copy()


# -- mistakes learners make ----------------------------------------------------------------------


def _forward(
    x,
    gamma,
    beta,
    running_mean,
    running_var,
    training,
    momentum=0.1,
    eps=1e-5,
    *,
    batch_stats_in_eval=False,
    update_in_eval=False,
    normalise_with_unbiased=False,
    store_biased=False,
    momentum_reversed=False,
    eps_outside_sqrt=False,
    no_eps=False,
    params_on_last_axis=False,
    one_pass_variance=False,
    keep_running_stats=False,
):
    """A numpy batch norm; each keyword flaw switches on one learner mistake."""
    C = x.shape[1]
    axes = (0,) + tuple(range(2, x.ndim))  # every axis except the channel axis
    shape = (1, C) + (1,) * (x.ndim - 2)  # (1, C, 1, 1)
    n = x.size // C  # values per channel

    if training or batch_stats_in_eval:
        mean = x.mean(axis=axes)  # (C,)
        var = (x**2).mean(axis=axes) - mean**2 if one_pass_variance else x.var(axis=axes)  # (C,)
        unbiased = var * n / (n - 1)  # (C,)
        stored = var if store_biased else unbiased
        norm_mean, norm_var = mean, (unbiased if normalise_with_unbiased else var)
        updates = (training or update_in_eval) and not keep_running_stats
    else:
        norm_mean, norm_var = running_mean, running_var
        updates = False

    if not updates:
        new_mean, new_var = running_mean.copy(), running_var.copy()
    elif momentum_reversed:
        new_mean = momentum * running_mean + (1 - momentum) * mean
        new_var = momentum * running_var + (1 - momentum) * stored
    else:
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * stored

    centred = x - norm_mean.reshape(shape)
    if eps_outside_sqrt:
        x_hat = centred / (np.sqrt(norm_var.reshape(shape)) + eps)
    elif no_eps:
        x_hat = centred / np.sqrt(norm_var.reshape(shape))
    else:
        x_hat = centred / np.sqrt(norm_var.reshape(shape) + eps)
    if params_on_last_axis:
        out = x_hat * gamma + beta  # lines (C,) up with the last axis, not the channel axis
    else:
        out = gamma.reshape(shape) * x_hat + beta.reshape(shape)
    return out, new_mean, new_var


def _mistake(**flaw):
    def implementation(*args, **kwargs):
        with np.errstate(all="ignore"):
            try:
                return _forward(*args, **kwargs, **flaw)
            except ValueError:
                # gamma of shape (C,) against an x whose last axis is not C: numpy refuses to broadcast. The
                # learner's code would raise too, but so does much other code; a bare ValueError identifies
                # nothing, so this mistake gives no answer here (the grader skips a mistake it cannot compare).
                return None

    return implementation


def _reshape_without_transpose(x, *args, **kwargs):
    """Treats (N, C, H, W) as rows of C values with x.reshape(-1, C): the columns are not channels."""
    rows = x.reshape(-1, x.shape[1])  # (N*H*W, C) in memory order, channels mixed up
    with np.errstate(all="ignore"):
        out, new_mean, new_var = _forward(rows, *args, **kwargs)
    return out.reshape(x.shape), new_mean, new_var


def _statistics_over_axis_0(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    """The solution with ``axes = 0``: right for (N, C), but for (N, C, L) and (N, C, H, W) the statistics come out
    of shape (C, L) or (C, H, W), per position instead of per channel, and numpy refuses to combine them."""
    C = x.shape[1]
    shape = (1, C) + (1,) * (x.ndim - 2)
    if training:
        mean, var = x.mean(axis=0), x.var(axis=0)
        n = x.shape[0]
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean.copy(), running_var.copy()
    with np.errstate(all="ignore"):
        x_hat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape), new_mean, new_var


def _per_position_statistics_error(message: str, case) -> bool:
    """The learner's error involves an array of shape (C, L) or (C, H, W): statistics taken over axis 0 only."""
    x = case.args[0]
    per_position = x.shape[1:]
    compact = message.replace(" ", "")
    return len(per_position) > 1 and (
        str(per_position).replace(" ", "") in compact or f"size{int(np.prod(per_position))}into" in compact
    )


MISTAKES: list[Mistake] = [
    Mistake(
        name="biased_running_var",
        function=FUNCTION,
        implementation=_mistake(store_biased=True),
        message_en=(
            "The running variance was updated with the biased batch variance (divided by n). PyTorch normalises "
            "with the biased variance but stores the unbiased one, var * n / (n - 1), in running_var."
        ),
        message_zh=(
            "running_var 用了有偏的批方差（除以 n）来更新。PyTorch 归一化时用有偏方差，"
            "但存入 running_var 的是无偏方差 var * n / (n - 1)。"
        ),
    ),
    Mistake(
        name="unbiased_var_for_normalising",
        function=FUNCTION,
        implementation=_mistake(normalise_with_unbiased=True),
        message_en=(
            "The batch was normalised with the unbiased variance (divided by n - 1). Normalise with the biased "
            "variance (divide by n, what np.var does by default); only running_var gets the unbiased one."
        ),
        message_zh=(
            "归一化时用了无偏方差（除以 n - 1）。归一化应当用有偏方差（除以 n，np.var 的默认做法）；"
            "只有 running_var 存无偏方差。"
        ),
    ),
    Mistake(
        name="eval_uses_batch_stats",
        function=FUNCTION,
        implementation=_mistake(batch_stats_in_eval=True, update_in_eval=True),
        message_en=(
            "In eval mode (training=False) the batch statistics were used and the running statistics were "
            "updated, as if training. In eval mode normalise with running_mean and running_var and return them "
            "unchanged (model.eval() in PyTorch)."
        ),
        message_zh=(
            "验证模式（training=False）下仍用了本批的均值和方差，还更新了滑动统计量，和训练时一样。"
            "验证时应当用 running_mean 和 running_var 归一化，并原样返回它们（即 PyTorch 的 model.eval()）。"
        ),
    ),
    Mistake(
        name="eval_normalises_with_batch_stats",
        function=FUNCTION,
        implementation=_mistake(batch_stats_in_eval=True),
        message_en=(
            "In eval mode (training=False) the output was normalised with the batch's own mean and variance. "
            "In eval mode normalise with running_mean and running_var, the statistics gathered during training."
        ),
        message_zh=(
            "验证模式（training=False）下输出是用本批自己的均值和方差归一化的。"
            "验证时应当用训练中积累的 running_mean 和 running_var 归一化。"
        ),
    ),
    Mistake(
        name="momentum_reversed",
        function=FUNCTION,
        implementation=_mistake(momentum_reversed=True),
        message_en=(
            "Momentum was applied the other way round. PyTorch's rule is "
            "new = (1 - momentum) * running + momentum * batch_statistic: momentum is the weight of the new batch."
        ),
        message_zh=(
            "momentum 用反了。PyTorch 的更新规则是 new = (1 - momentum) * running + momentum * batch_statistic，"
            "momentum 是新一批统计量的权重。"
        ),
    ),
    Mistake(
        name="eps_outside_sqrt",
        function=FUNCTION,
        implementation=_mistake(eps_outside_sqrt=True),
        message_en=(
            "eps was added outside the square root: (x - mean) / (sqrt(var) + eps). It belongs inside: "
            "(x - mean) / sqrt(var + eps). The difference shows when the variance is tiny."
        ),
        message_zh=(
            "eps 加在了根号外面：(x - mean) / (sqrt(var) + eps)。应当加在根号里："
            "(x - mean) / sqrt(var + eps)。方差很小时两者差别很大。"
        ),
    ),
    Mistake(
        name="no_eps",
        function=FUNCTION,
        implementation=_mistake(no_eps=True),
        message_en=(
            "eps is missing: the batch was divided by sqrt(var), not sqrt(var + eps). PyTorch always adds eps "
            "(the `eps` argument) inside the square root; it changes every output a little, and keeps a channel "
            "whose values are all equal (variance 0) from dividing 0 by 0."
        ),
        message_zh=(
            "漏掉了 eps：除的是 sqrt(var)，而不是 sqrt(var + eps)。PyTorch 总是在根号里加上 eps（参数 `eps`）；"
            "它让每个输出都略有不同，也避免某个通道的值全都相等（方差为 0）时出现 0 除以 0。"
        ),
    ),
    Mistake(
        name="statistics_over_axis_0",
        function=FUNCTION,
        implementation=_statistics_over_axis_0,
        error_matches=_per_position_statistics_error,
        message_en=(
            "The statistics were taken over axis 0 only (`axes = 0`). That is right for (N, C) input, but for "
            "(N, C, L) or (N, C, H, W) it gives a mean per position, of shape (C, L) or (C, H, W), which cannot "
            "combine with the (C,) running statistics. Average over every axis except the channel axis 1: "
            "`axes = (0,) + tuple(range(2, x.ndim))`, i.e. (0, 2, 3) for 4-D input."
        ),
        message_zh=(
            "统计量只在第 0 轴上求（`axes = 0`）。对 (N, C) 输入这是对的，但对 (N, C, L) 或 (N, C, H, W) "
            "会得到每个位置各自的均值，形状为 (C, L) 或 (C, H, W)，无法和形状为 (C,) 的滑动统计量相加。"
            "应当在除通道轴（第 1 轴）以外的所有轴上求：`axes = (0,) + tuple(range(2, x.ndim))`，"
            "四维输入即 (0, 2, 3)。"
        ),
    ),
    Mistake(
        name="wrong_axes_reshape",
        function=FUNCTION,
        implementation=_reshape_without_transpose,
        message_en=(
            "The statistics were taken over the wrong values: x.reshape(-1, C) does not group the values by "
            "channel when the channel axis is not last. Take the mean and variance over every axis except axis 1 "
            "(axis=(0, 2, 3) for (N, C, H, W)), or move the channel axis last before reshaping."
        ),
        message_zh=(
            "统计量算错了轴：通道轴不在最后时，x.reshape(-1, C) 并不会按通道把数值分组。"
            "均值和方差应当在除第 1 轴（通道）以外的所有轴上求（对 (N, C, H, W) 即 axis=(0, 2, 3)），"
            "或者先把通道轴移到最后再 reshape。"
        ),
    ),
    Mistake(
        name="params_on_last_axis",
        function=FUNCTION,
        implementation=_mistake(params_on_last_axis=True),
        message_en=(
            "gamma and beta were broadcast over the last axis (x_hat * gamma + beta). For (N, C, L) or "
            "(N, C, H, W) they belong to axis 1: reshape them to (1, C, 1, 1) (or (1, C, 1)) first."
        ),
        message_zh=(
            "gamma 和 beta 被广播到了最后一个轴上（x_hat * gamma + beta）。对 (N, C, L) 或 (N, C, H, W)，"
            "它们属于第 1 轴（通道）：先 reshape 成 (1, C, 1, 1)（或 (1, C, 1)）。"
        ),
    ),
    Mistake(
        name="running_stats_not_updated",
        function=FUNCTION,
        implementation=_mistake(keep_running_stats=True),
        message_en=(
            "In training mode the running statistics came back unchanged. Each training step moves them towards "
            "the batch statistics: new = (1 - momentum) * running + momentum * batch_statistic."
        ),
        message_zh=(
            "训练模式下 running_mean 和 running_var 原样返回了。每个训练步都要把它们向本批统计量靠拢："
            "new = (1 - momentum) * running + momentum * batch_statistic。"
        ),
    ),
    Mistake(
        name="one_pass_variance",
        function=FUNCTION,
        implementation=_mistake(one_pass_variance=True),
        message_en=(
            "The variance was computed as mean(x**2) - mean(x)**2, which loses almost every digit when the values "
            "sit far from zero (here around 1e6). Subtract the mean first: mean((x - mean)**2), or np.var."
        ),
        message_zh=(
            "方差按 mean(x**2) - mean(x)**2 计算，数值远离 0 时（这里约为 1e6）几乎丢掉所有有效数字。"
            "应先减去均值：mean((x - mean)**2)，或直接用 np.var。"
        ),
    ),
]
