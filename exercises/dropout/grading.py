"""Grading for `dropout`: F.dropout's own output and its autograd gradient, for the very mask F.dropout drew.

Each case's mask comes from PyTorch: F.dropout(ones, p, training=True) under a seed derived from the case's own
inputs (their bytes and p), so cases() and reference() find the same seed independently. reference() then runs
F.dropout on the case's input under that seed — PyTorch draws the same mask again — and returns its output; it
first checks that the mask in the case is the one PyTorch draws, so a case can never teach a mask PyTorch would not
use. In evaluation the mask is still given (drawn the same way): dropout must ignore it.
"""

from __future__ import annotations

import zlib

import numpy as np

from dlquiz.grading.spec import Case, Mistake

FORWARD, GRAD = "dropout", "dropout_grad"


# -- PyTorch's masks ----------------------------------------------------------------------------------


def _seed(array: np.ndarray, p: float) -> int:
    """A seed that depends only on the case's inputs: cases() and reference() derive it apart."""
    return zlib.crc32(np.float64(p).tobytes(), zlib.crc32(np.ascontiguousarray(array).tobytes()))


def _torch_dropout(tensor, p: float, training: bool, seed: int):
    import torch
    import torch.nn.functional as F

    with torch.random.fork_rng(devices=[]):  # leaves the global generator as it was
        torch.manual_seed(seed)
        return F.dropout(tensor, p, training)


def _torch_mask(shape: tuple, p: float, seed: int) -> np.ndarray:
    """The units F.dropout keeps in training under ``seed``: where its output on ones is not 0."""
    import torch

    ones = torch.ones(shape, dtype=torch.float64)
    return (_torch_dropout(ones, p, True, seed) != 0).numpy()


# -- cases ------------------------------------------------------------------------------------


def _forward(name: str, x: np.ndarray, p: float, training: bool) -> Case:
    mode = "train" if training else "eval"
    return Case(f"{FORWARD} {mode}: {name}", FORWARD, (x, p, training, _torch_mask(x.shape, p, _seed(x, p))))


def _grad(name: str, grad_out: np.ndarray, p: float, training: bool) -> Case:
    mode = "train" if training else "eval"
    keep = _torch_mask(grad_out.shape, p, _seed(grad_out, p))
    return Case(f"{GRAD} {mode}: {name}", GRAD, (grad_out, keep, p, training))


def cases() -> list[Case]:
    rng = np.random.default_rng(20240613)
    n = rng.standard_normal
    forward = [
        _forward("p=0.3, (N, C)", n((3, 4)), 0.3, True),
        _forward("p=0.25, (N, C, H, W)", n((2, 3, 4, 5)), 0.25, True),
        _forward("p=0.1, one sample (N=1)", n((1, 6)), 0.1, True),
        _forward("p=0.9, most units dropped", n((4, 5)), 0.9, True),
        _forward("p=0.5", n((3, 5)), 0.5, True),
        _forward("p=0.4, all negative", -rng.uniform(0.5, 3.0, (3, 4)), 0.4, True),
        _forward("p=0.7, values near 1e6", 1e6 * n((2, 6)), 0.7, True),
        _forward("p=0: nothing dropped", n((2, 3)), 0.0, True),
        _forward("p=1: everything dropped", n((3, 3)), 1.0, True),
        _forward("p=0.5, the mask is ignored", n((3, 4)), 0.5, False),
        _forward("p=0.3, (N, C, H, W)", n((2, 2, 3, 3)), 0.3, False),
        _forward("p=1", n((2, 4)), 1.0, False),
    ]
    backward = [
        _grad("p=0.2, (N, C)", n((4, 3)), 0.2, True),
        _grad("p=0.6, (N, C, H, W)", n((2, 3, 2, 4)), 0.6, True),
        _grad("p=0.85, one sample (N=1)", n((1, 7)), 0.85, True),
        _grad("p=0: the gradient passes through", n((3, 2)), 0.0, True),
        _grad("p=1: no gradient", n((2, 5)), 1.0, True),
        _grad("p=0.4", n((3, 4)), 0.4, False),
        _grad("p=0.6, (N, C, H, W)", n((2, 2, 2, 3)), 0.6, False),
    ]
    random = []
    for index in range(6):
        shape = tuple(int(size) for size in rng.integers(1, 6, int(rng.integers(1, 5))))
        p = float(rng.choice([0.05, 0.15, 0.35, 0.45, 0.6, 0.8]))
        training = index % 3 != 2
        make = _forward if index % 2 == 0 else _grad
        random.append(make(f"random {shape}, p={p}", rng.standard_normal(shape), p, training))
    return forward + backward + random


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> np.ndarray:
    import torch

    if case.function == FORWARD:
        x, p, training, keep = case.args
        tensor = torch.tensor(x, dtype=torch.float64)
    else:
        grad_out, keep, p, training = case.args
        # Dropout is linear in x, so its gradient does not depend on x: any input of the right shape will do.
        tensor = torch.ones(grad_out.shape, dtype=torch.float64, requires_grad=True)
    seed = _seed(case.args[0], p)
    if not np.array_equal(_torch_mask(keep.shape, p, seed), keep):
        raise RuntimeError("the case's mask is not the one F.dropout draws for it")
    out = _torch_dropout(tensor, p, training, seed)
    if case.function == FORWARD:
        return out.detach().numpy().copy()
    (out * torch.from_numpy(grad_out)).sum().backward()  # d sum(out * grad_out) / dx = the backpropagated gradient
    return tensor.grad.numpy().copy()


# -- mistakes learners make ----------------------------------------------------------------------


def _inverted(values, keep, p):
    """The correct training-mode dropout of ``values`` (also the correct gradient)."""
    return np.zeros_like(values) if p == 1 else values * keep / (1.0 - p)


def _forward_mistake(train=None, evaluate=None):
    """dropout with its training branch and/or its evaluation branch replaced by a wrong one."""

    def implementation(x, p, training, keep):
        if training:
            return train(x, p, keep) if train else _inverted(x, keep, p)
        return evaluate(x, p, keep) if evaluate else x.copy()

    return implementation


def _grad_mistake(train=None, evaluate=None):
    def implementation(grad_out, keep, p, training):
        if training:
            return train(grad_out, p, keep) if train else _inverted(grad_out, keep, p)
        return evaluate(grad_out, p, keep) if evaluate else grad_out.copy()

    return implementation


def _p_one_zero_division(x, p, keep):
    scale = 1.0 / (1.0 - p)  # Python floats: ZeroDivisionError at p = 1
    return x * keep * scale


_SCALE_EN = (
    "In training the kept units are divided by 1 - p (inverted dropout), so that the expected output equals "
    "x and evaluation needs no change: x * keep / (1 - p)."
)
_SCALE_ZH = (
    "训练时保留的单元要除以 1 - p（inverted dropout），这样输出的期望等于 x，验证时就无需任何改动：x * keep / (1 - p)。"
)
_P_ONE_EN = (
    "With p = 1 every unit is dropped and PyTorch returns zeros, but 1 / (1 - p) is a division by zero. "
    "Handle p == 1 on its own: return np.zeros_like(x)."
)
_P_ONE_ZH = (
    "p = 1 时所有单元都被丢弃，PyTorch 返回全 0，但 1 / (1 - p) 是除以 0。单独处理 p == 1：返回 np.zeros_like(x)。"
)

MISTAKES: list[Mistake] = [
    Mistake(
        "no_rescale",
        FORWARD,
        _forward_mistake(train=lambda x, p, keep: x * keep),
        "The kept units were not rescaled. " + _SCALE_EN,
        "保留下来的单元没有放大。" + _SCALE_ZH,
    ),
    Mistake(
        "scaled_by_p",
        FORWARD,
        _forward_mistake(train=lambda x, p, keep: x * keep / p),
        "The kept units were divided by p, the probability of DROPPING a unit. Divide by the probability of "
        "keeping it, 1 - p: x * keep / (1 - p).",
        "保留的单元除以了 p，而 p 是丢弃一个单元的概率。应除以保留的概率 1 - p：x * keep / (1 - p)。",
    ),
    Mistake(
        "multiplied_by_keep_prob",
        FORWARD,
        _forward_mistake(train=lambda x, p, keep: x * keep * (1.0 - p)),
        "The kept units were multiplied by 1 - p. That shrinks the output twice (the mask already removes a "
        "share p); PyTorch divides by 1 - p instead, so the expected output stays x.",
        "保留的单元乘上了 1 - p。这会让输出缩小两次（掩码已经去掉了 p 的比例）；PyTorch 是除以 1 - p，让输出的期望保持为 x。",
    ),
    Mistake(
        "eval_scaled",
        FORWARD,
        _forward_mistake(evaluate=lambda x, p, keep: x * (1.0 - p)),
        "In evaluation you multiplied x by 1 - p — the rule of the original dropout paper, where training did not "
        "rescale. PyTorch rescales in training (inverted dropout), so in evaluation dropout is the identity: "
        "return x.copy().",
        "验证时你把 x 乘上了 1 - p——这是最初 dropout 论文的做法，那时训练时不放大。PyTorch 在训练时放大"
        "（inverted dropout），所以验证时 dropout 是恒等映射：返回 x.copy()。",
    ),
    Mistake(
        "eval_masked",
        FORWARD,
        _forward_mistake(evaluate=lambda x, p, keep: _inverted(x, keep, p)),
        "In evaluation (training=False) you still dropped units. Dropout only acts in training (model.train()); "
        "in evaluation (model.eval()) it returns its input unchanged, as a new array.",
        "验证模式（training=False）下你仍然丢弃了单元。Dropout 只在训练时（model.train()）起作用；"
        "验证时（model.eval()）原样返回输入（一个新数组）。",
    ),
    Mistake(
        "mask_inverted",
        FORWARD,
        _forward_mistake(train=lambda x, p, keep: x * ~keep / (1.0 - p)),
        "You kept the units where keep is False. keep is True for the units that survive: x * keep / (1 - p).",
        "你保留的是 keep 为 False 的单元。keep 为 True 的才是保留下来的单元：x * keep / (1 - p)。",
    ),
    Mistake(
        "p_one_nan",
        FORWARD,
        _forward_mistake(train=lambda x, p, keep: x * keep / (1.0 - p)),
        "Your result is NaN for p = 1: 0 / 0. " + _P_ONE_EN,
        "p = 1 时你的结果是 NaN：0 / 0。" + _P_ONE_ZH,
    ),
    Mistake(
        "p_one_zero_division",
        FORWARD,
        _forward_mistake(train=_p_one_zero_division),
        "ZeroDivisionError for p = 1. " + _P_ONE_EN,
        "p = 1 时抛出了 ZeroDivisionError。" + _P_ONE_ZH,
    ),
    Mistake(
        "grad_no_rescale",
        GRAD,
        _grad_mistake(train=lambda g, p, keep: g * keep),
        "The gradient was masked but not rescaled. The forward pass multiplies every kept unit by 1 / (1 - p), "
        "so its gradient carries the same factor: grad_out * keep / (1 - p).",
        "梯度做了掩码但没有放大。前向传播把每个保留的单元乘上了 1 / (1 - p)，所以梯度也带着同样的因子："
        "grad_out * keep / (1 - p)。",
    ),
    Mistake(
        "grad_local_only",
        GRAD,
        _grad_mistake(
            train=lambda g, p, keep: _inverted(np.ones_like(g), keep, p), evaluate=lambda g, p, keep: np.ones_like(g)
        ),
        "You returned dropout's local derivative d out / d x = keep / (1 - p) alone. Backpropagation multiplies "
        "it by the gradient arriving from above: grad_out * keep / (1 - p) (and grad_out itself in evaluation).",
        "你只返回了 dropout 的局部导数 d out / d x = keep / (1 - p)。反向传播要把它乘上从上游传来的梯度："
        "grad_out * keep / (1 - p)（验证时就是 grad_out 本身）。",
    ),
    Mistake(
        "grad_masked_in_eval",
        GRAD,
        _grad_mistake(evaluate=lambda g, p, keep: _inverted(g, keep, p)),
        "In evaluation dropout is the identity, so the gradient passes through unchanged: return grad_out.copy() "
        "when training is False.",
        "验证时 dropout 是恒等映射，梯度原样通过：training 为 False 时返回 grad_out.copy()。",
    ),
    Mistake(
        "grad_scaled_by_keep_prob",
        GRAD,
        _grad_mistake(train=lambda g, p, keep: g * keep * (1.0 - p)),
        "The gradient was multiplied by 1 - p. The forward pass divides the kept units by 1 - p, and so does "
        "its gradient: grad_out * keep / (1 - p).",
        "梯度乘上了 1 - p。前向传播把保留的单元除以 1 - p，梯度也一样：grad_out * keep / (1 - p)。",
    ),
]
