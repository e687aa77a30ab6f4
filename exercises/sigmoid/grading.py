"""Grading for `sigmoid`: torch.sigmoid, its autograd gradient, and autograd through a chain of sigmoid layers.

The cases reach |x| = 1e4, where exp(-x) overflows: the grader fails any case during which numpy warned about an
overflow, so a naive 1 / (1 + np.exp(-x)) fails even though float64 happens to round its values right.
chain_gradient's values are tiny by design (that is the vanishing gradient), so its cases compare with rtol only;
its pre-activations stay within |z| <= 12, where sigma(z) * (1 - sigma(z)) keeps full relative precision.
"""

from __future__ import annotations

import math

import numpy as np

from dlquiz.grading.spec import Case, Mistake

SIGMOID, GRAD, CHAIN = "sigmoid", "sigmoid_grad", "chain_gradient"
EXTREMES = np.array([-1e4, -1e3, -745.0, -710.0, -40.0, -1e-10, -0.0, 0.0, 1e-10, 40.0, 710.0, 745.0, 1e3, 1e4])


# -- cases ------------------------------------------------------------------------------------


def _chain(name: str, x: float, weights) -> Case:
    # atol 0: a gradient of 1e-9 compared with atol 1e-7 would accept 0 — exactly the answer vanishing suggests
    return Case(f"{CHAIN}: {name}", CHAIN, (float(x), np.asarray(weights, dtype=np.float64)), atol=0.0)


def _elementwise_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for function in (SIGMOID, GRAD):
        cases += [
            Case(f"{function}: all zeros", function, (np.zeros((2, 3)),)),
            Case(f"{function}: mixed signs", function, (np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0]),)),
            Case(f"{function}: |x| up to 1e4 (exp overflows)", function, (EXTREMES.copy(),)),
            Case(f"{function}: large negative only", function, (np.array([[-1e4, -900.0], [-750.0, -60.0]]),)),
            Case(f"{function}: large positive only", function, (np.array([30.0, 50.0, 720.0, 1e4]),)),
            Case(f"{function}: all negative", function, (-10.0 * rng.random((3, 4)) - 0.1,)),
            Case(f"{function}: one element (N=1)", function, (np.array([[-2.5]]),)),
            Case(f"{function}: (N, C, H, W) with N != C", function, (4.0 * rng.standard_normal((2, 3, 4, 5)),)),
        ]
    for shape in [(7,), (5, 6), (2, 3, 8), (3, 2, 5, 5)]:
        x = rng.standard_normal(shape) * rng.choice([0.1, 1.0, 10.0, 100.0])
        cases.append(Case(f"{SIGMOID}: random {shape}", SIGMOID, (x,)))
        cases.append(Case(f"{GRAD}: random {shape}", GRAD, (x.copy(),)))
    return cases


def _chain_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        _chain("one layer", 0.5, [2.0]),
        _chain("no layers (L=0): a_L is x", 1.5, []),
        _chain("ten layers of weight 1 (vanishing)", 0.5, np.ones(10)),
        _chain("a zero weight stops the gradient", 0.7, [1.5, 0.0, 2.0]),
        _chain("negative x and weights", -2.0, [-1.5, 3.0, -0.5, 2.5]),
        _chain("distinct weights: order matters", 0.3, [4.0, -2.0, 0.5, 1.0, -3.0]),
        _chain("x = 0", 0.0, [3.0, -1.0, 2.0]),
        _chain("saturated first layer (z = 12)", 3.0, [4.0, 1.0, 1.0]),
        _chain("thirty layers", 0.8, rng.uniform(0.5, 2.0, 30)),
    ]
    for _ in range(4):
        length = int(rng.integers(2, 13))
        x = float(rng.uniform(-3.0, 3.0))
        cases.append(_chain(f"random x = {x:.3f}, {length} layers", x, rng.uniform(-4.0, 4.0, length)))
    return cases


def cases() -> list[Case]:
    rng = np.random.default_rng(20240611)
    return _elementwise_cases(rng) + _chain_cases(rng)


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> object:
    import torch

    if case.function == CHAIN:
        x_value, weights = case.args
        x = torch.tensor(x_value, dtype=torch.float64, requires_grad=True)
        a = x
        for w in torch.tensor(weights, dtype=torch.float64):
            a = torch.sigmoid(w * a)
        (gradient,) = torch.autograd.grad(a, x)  # with no layers a is x, and autograd gives 1
        return float(gradient)
    x = torch.tensor(case.args[0], dtype=torch.float64)  # a copy: the case's array stays as it was
    if case.function == SIGMOID:
        return torch.sigmoid(x).numpy()
    x.requires_grad_(True)
    torch.sigmoid(x).sum().backward()  # d sum(sigmoid(x)) / dx is sigmoid's elementwise derivative
    return x.grad.numpy()


# -- mistakes learners make ----------------------------------------------------------------------


def _stable(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _naive(x):
    return 1.0 / (1.0 + np.exp(-x))


def _where_both_branches(x):
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))


def _exp_ratio(x):
    return np.exp(x) / (1.0 + np.exp(x))


def _sign_flipped(x):
    return 1.0 / (1.0 + np.exp(x))


def _tanh_not_halved(x):
    return (np.tanh(x) + 1.0) / 2.0


def _math_exp(x):
    return np.array([1.0 / (1.0 + math.exp(-v)) for v in x.ravel()]).reshape(x.shape)


def _grad_formula_on_x(x):
    return x * (1.0 - x)


def _grad_is_sigmoid(x):
    return _stable(x)


def _grad_tanh_formula(x):
    return 1.0 - _stable(x) ** 2


def _grad_naive_exp(x):
    return np.exp(-x) / (1.0 + np.exp(-x)) ** 2


def _chain_mistake(flaw: str):
    """chain_gradient with one learner mistake switched on."""

    def implementation(x, weights):
        a, factors = float(x), []
        for w in weights:
            a_in, a = a, float(_stable(np.asarray(w * a)))  # a_{i-1}, a_i
            if flaw == "without_weights":
                factors.append(a * (1.0 - a))
            elif flaw == "derivative_at_input":
                s = float(_stable(np.asarray(a_in)))
                factors.append(w * s * (1.0 - s))
            elif flaw == "previous_activation":
                factors.append(w * a_in * (1.0 - a_in))
            else:
                factors.append(w * a * (1.0 - a))
        if flaw == "returns_activation":
            return a
        if flaw == "sum_not_product":
            return float(sum(factors))
        if flaw == "starts_at_zero":  # gradient = 0 before the loop, then gradient *= ...: always 0
            return float(np.prod([0.0] + factors))
        return float(np.prod(factors))

    return implementation


MISTAKES: list[Mistake] = [
    Mistake(
        "naive_exp_overflow",
        SIGMOID,
        _naive,
        "Your sigmoid is the textbook 1 / (1 + np.exp(-x)). For x far below 0, np.exp(-x) is exp of a huge number "
        "and overflows to inf; the result only comes out right because 1 / inf happens to be 0. Exponentiate only "
        "numbers <= 0: with e = np.exp(-np.abs(x)), sigma(x) is 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0.",
        "你的 sigmoid 是教科书式的 1 / (1 + np.exp(-x))。x 远小于 0 时，np.exp(-x) 是对一个巨大的数求 exp，"
        "会溢出成 inf；结果之所以对，只是因为 1 / inf 恰好是 0。只对不大于 0 的数求 exp：令 e = np.exp(-np.abs(x))，"
        "x >= 0 时 sigma(x) = 1 / (1 + e)，x < 0 时为 e / (1 + e)。",
    ),
    Mistake(
        "where_both_branches",
        SIGMOID,
        _where_both_branches,
        "You split the cases with np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x))) — the "
        "right idea, but np.where computes BOTH branches for every element before choosing, so np.exp(-x) still "
        "overflows for x = -1e4 and np.exp(x) for x = 1e4. Compute e = np.exp(-np.abs(x)) once (it is in (0, 1]) "
        "and build both branches from e.",
        "你用 np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x))) 分情况处理——思路对了，"
        "但 np.where 会先对每个元素把两个分支都算出来再挑选，所以 x = -1e4 时 np.exp(-x) 仍会溢出，x = 1e4 时 "
        "np.exp(x) 也会。先算 e = np.exp(-np.abs(x))（在 (0, 1] 内），两个分支都用 e 来写。",
    ),
    Mistake(
        "exp_ratio_nan",
        SIGMOID,
        _exp_ratio,
        "Your sigmoid is np.exp(x) / (1 + np.exp(x)): for x above about 709 both exp's overflow and inf / inf is "
        "NaN. That form is only safe for x < 0; for x >= 0 use 1 / (1 + np.exp(-x)), and exponentiate only "
        "non-positive numbers (np.exp(-np.abs(x))).",
        "你的 sigmoid 写成了 np.exp(x) / (1 + np.exp(x))：x 大于约 709 时两个 exp 都溢出，inf / inf 得到 NaN。"
        "这个形式只在 x < 0 时安全；x >= 0 时用 1 / (1 + np.exp(-x))，并且只对非正数求 exp（np.exp(-np.abs(x))）。",
    ),
    Mistake(
        "sign_flipped",
        SIGMOID,
        _sign_flipped,
        "Your sigmoid computes 1 / (1 + np.exp(x)), which is sigma(-x): large inputs give values near 0 instead "
        "of near 1. The exponent is -x: sigma(x) = 1 / (1 + e^(-x)).",
        "你的 sigmoid 算的是 1 / (1 + np.exp(x))，也就是 sigma(-x)：大的输入得到接近 0 而不是接近 1 的值。"
        "指数应是 -x：sigma(x) = 1 / (1 + e^(-x))。",
    ),
    Mistake(
        "tanh_not_halved",
        SIGMOID,
        _tanh_not_halved,
        "You used (1 + tanh(x)) / 2, which is sigma(2x). The identity halves the input too: "
        "sigma(x) = (1 + tanh(x / 2)) / 2.",
        "你用了 (1 + tanh(x)) / 2，这等于 sigma(2x)。这个恒等式里输入也要减半：sigma(x) = (1 + tanh(x / 2)) / 2。",
    ),
    Mistake(
        "math_exp_overflow",
        SIGMOID,
        _math_exp,
        "math.exp raises OverflowError for arguments above about 709 (here -x = 1e4), where numpy would give inf. "
        "Use numpy on the whole array, and exponentiate only numbers <= 0: np.exp(-np.abs(x)).",
        "math.exp 的参数大于约 709 时会抛出 OverflowError（这里 -x = 1e4）。对整个数组用 numpy 计算，"
        "并且只对不大于 0 的数求 exp：np.exp(-np.abs(x))。",
    ),
    Mistake(
        "grad_formula_on_x",
        GRAD,
        _grad_formula_on_x,
        "Your sigmoid_grad is x * (1 - x). The rule a * (1 - a) takes sigmoid's OUTPUT a = sigma(x), not the "
        "input: compute s = sigmoid(x) first, then s * (1 - s).",
        "你的 sigmoid_grad 是 x * (1 - x)。公式 a * (1 - a) 里的 a 是 sigmoid 的输出 sigma(x)，不是输入 x："
        "先算 s = sigmoid(x)，再算 s * (1 - s)。",
    ),
    Mistake(
        "grad_is_sigmoid",
        GRAD,
        _grad_is_sigmoid,
        "Your sigmoid_grad returns sigma(x) itself. Unlike exp, sigmoid is not its own derivative: "
        "sigma'(x) = sigma(x) * (1 - sigma(x)), at most 0.25.",
        "你的 sigmoid_grad 返回的是 sigma(x) 本身。和 exp 不同，sigmoid 的导数不是它自己："
        "sigma'(x) = sigma(x) * (1 - sigma(x))，最大只有 0.25。",
    ),
    Mistake(
        "grad_tanh_formula",
        GRAD,
        _grad_tanh_formula,
        "Your sigmoid_grad is 1 - sigma(x)**2 — that is tanh's rule (tanh' = 1 - tanh**2). Sigmoid's is "
        "sigma(x) * (1 - sigma(x)).",
        "你的 sigmoid_grad 是 1 - sigma(x)**2——那是 tanh 的导数公式（tanh' = 1 - tanh**2）。"
        "sigmoid 的导数是 sigma(x) * (1 - sigma(x))。",
    ),
    Mistake(
        "grad_naive_exp",
        GRAD,
        _grad_naive_exp,
        "Your sigmoid_grad is np.exp(-x) / (1 + np.exp(-x))**2: for x = -1e4 that is inf / inf = NaN. The same "
        "derivative written with the (stable) output, s * (1 - s) with s = sigmoid(x), never overflows.",
        "你的 sigmoid_grad 是 np.exp(-x) / (1 + np.exp(-x))**2：x = -1e4 时变成 inf / inf = NaN。"
        "同一个导数用（稳定的）输出来写，s * (1 - s)，其中 s = sigmoid(x)，就不会溢出。",
    ),
    Mistake(
        "chain_without_weights",
        CHAIN,
        _chain_mistake("without_weights"),
        "Your chain_gradient multiplies only sigma'(z_i). z_i = w_i * a_{i-1} depends on a_{i-1} through w_i, so "
        "the chain rule gives each layer the factor w_i * sigma'(z_i).",
        "你的 chain_gradient 只乘了 sigma'(z_i)。z_i = w_i * a_{i-1} 通过 w_i 依赖 a_{i-1}，"
        "所以链式法则给每一层的因子是 w_i * sigma'(z_i)。",
    ),
    Mistake(
        "chain_derivative_at_input",
        CHAIN,
        _chain_mistake("derivative_at_input"),
        "Your chain_gradient evaluates sigma' at the layer's input a_{i-1}. The derivative belongs at the "
        "pre-activation z_i = w_i * a_{i-1}, the number sigma was applied to: "
        "w_i * sigma'(z_i) = w_i * a_i * (1 - a_i).",
        "你的 chain_gradient 在该层的输入 a_{i-1} 处求 sigma'。导数要在预激活 z_i = w_i * a_{i-1} 处求，"
        "也就是 sigma 实际作用的那个数：w_i * sigma'(z_i) = w_i * a_i * (1 - a_i)。",
    ),
    Mistake(
        "chain_previous_activation",
        CHAIN,
        _chain_mistake("previous_activation"),
        "Your chain_gradient uses a_{i-1} * (1 - a_{i-1}) for layer i — the previous layer's output, one layer "
        "off. Layer i's slope is sigma'(z_i) = a_i * (1 - a_i), with a_i = sigma(w_i * a_{i-1}) its own output.",
        "你的 chain_gradient 在第 i 层用了 a_{i-1} * (1 - a_{i-1})——上一层的输出，错了一层。"
        "第 i 层的斜率是 sigma'(z_i) = a_i * (1 - a_i)，a_i = sigma(w_i * a_{i-1}) 是它自己的输出。",
    ),
    Mistake(
        "chain_sum_not_product",
        CHAIN,
        _chain_mistake("sum_not_product"),
        "Your chain_gradient adds the layers' factors. Through a chain the local derivatives multiply: "
        "da_L/dx = product of w_i * sigma'(z_i) — which is why many factors below 1 make it vanish.",
        "你的 chain_gradient 把各层的因子加了起来。沿着链条，局部导数是相乘的：da_L/dx = 各层 w_i * sigma'(z_i) 的乘积"
        "——正因为许多小于 1 的因子相乘，梯度才会消失。",
    ),
    Mistake(
        "chain_product_starts_at_zero",
        CHAIN,
        _chain_mistake("starts_at_zero"),
        "Your chain_gradient returns 0 for every chain: the product was started at 0, so multiplying by the "
        "layers' factors keeps it 0. Start it at 1, the empty product (with no layers da_L/dx = dx/dx = 1).",
        "你的 chain_gradient 对任何链条都返回 0：乘积的初值设成了 0，再乘上各层的因子还是 0。"
        "初值应为 1，即空乘积（没有层时 da_L/dx = dx/dx = 1）。",
    ),
    Mistake(
        "chain_returns_activation",
        CHAIN,
        _chain_mistake("returns_activation"),
        "Your chain_gradient returns a_L, the output of the last layer. The task asks for the derivative "
        "da_L/dx: the product of every layer's w_i * sigma'(z_i).",
        "你的 chain_gradient 返回的是最后一层的输出 a_L。题目要的是导数 da_L/dx：各层 w_i * sigma'(z_i) 的乘积。",
    ),
]
