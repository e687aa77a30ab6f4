"""Grading for `maxout`: the maximum of K linear pieces, each computed by F.linear, maximised with torch.amax.

Contract: x (N, D), weight (K, D, M), bias (K, M) -> (N, M). The fixed cases pick sizes so that each mix-up of
axes shows as a wrong shape or wrong values: N != D != K != M mostly, N == K once (a maximum over the samples then
keeps the shape), D == M == K once (a transposed piece then still multiplies), all-negative pieces (a running
maximum started at 0 clips them), and x = 0 (the output is then the largest bias alone).
"""

from __future__ import annotations

import numpy as np

from dlquiz.grading.spec import Case, Mistake

FUNCTION = "maxout"


# -- cases ------------------------------------------------------------------------------------


def _case(name: str, x, weight, bias) -> Case:
    return Case(f"maxout: {name}", FUNCTION, (x, weight, bias))


def _params(rng: np.random.Generator, K: int, D: int, M: int, scale: float = 1.0):
    return scale * rng.standard_normal((K, D, M)), scale * rng.standard_normal((K, M))  # (K, D, M), (K, M)


def _fixed_cases(rng: np.random.Generator) -> list[Case]:
    n = rng.standard_normal
    W0, b0 = n((4, 3)), n(3)  # one linear piece (D=4, M=3) for the ReLU case
    relu_weight, relu_bias = np.stack([W0, np.zeros((4, 3))]), np.stack([b0, np.zeros(3)])  # (2, 4, 3), (2, 3)
    tied_weight, tied_bias = _params(rng, 1, 3, 2)
    return [
        _case("N=3, D=4, K=2, M=5", n((3, 4)), *_params(rng, 2, 4, 5)),
        _case("one sample (N=1)", n((1, 5)), *_params(rng, 3, 5, 2)),
        _case("one piece (K=1): just a linear layer", n((4, 3)), *_params(rng, 1, 3, 2)),
        _case("ReLU as maxout: pieces (W, b) and (0, 0)", n((5, 4)), relu_weight, relu_bias),
        _case(
            "every piece negative",
            rng.uniform(0.5, 2.0, (3, 4)),
            -rng.uniform(0.5, 2.0, (3, 4, 2)),
            -rng.uniform(0.5, 2.0, (3, 2)),
        ),
        _case("N == K (3 samples, 3 pieces)", n((3, 2)), *_params(rng, 3, 2, 4)),
        _case("square pieces, D == M == K", n((2, 3)), *_params(rng, 3, 3, 3)),
        _case("one output unit (M=1)", n((4, 6)), *_params(rng, 4, 6, 1)),
        _case(
            "two identical pieces (ties)", n((3, 3)), np.concatenate([tied_weight] * 2), np.concatenate([tied_bias] * 2)
        ),
        _case("x = 0: the largest bias wins", np.zeros((2, 3)), *_params(rng, 4, 3, 5)),
        _case("values near 1e3", 30.0 * n((3, 5)), *_params(rng, 3, 5, 4, scale=30.0)),
    ]


def _random_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(4):
        N, D, K, M = (int(size) for size in rng.integers(1, 7, 4))
        cases.append(_case(f"random N={N}, D={D}, K={K}, M={M}", rng.standard_normal((N, D)), *_params(rng, K, D, M)))
    return cases


def cases() -> list[Case]:
    rng = np.random.default_rng(20240612)
    return _fixed_cases(rng) + _random_cases(rng)


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> np.ndarray:
    import torch
    import torch.nn.functional as F

    x, weight, bias = (torch.from_numpy(array) for array in case.args)
    # Piece k is a linear layer; F.linear(x, W, b) computes x @ W.T + b, so piece k's W is weight[k].T.
    pieces = torch.stack([F.linear(x, weight[k].T, bias[k]) for k in range(weight.shape[0])])  # (K, N, M)
    return torch.amax(pieces, dim=0).numpy()  # (N, M)


# -- mistakes learners make ----------------------------------------------------------------------


def _pieces(x, weight, bias):
    return x @ weight + bias[:, None, :]  # (K, N, M)


def _max_over_samples(x, weight, bias):
    return _pieces(x, weight, bias).max(axis=1)  # (K, M)


def _max_over_units(x, weight, bias):
    pieces = np.einsum("nd,kdm->nkm", x, weight) + bias  # (N, K, M)
    return pieces.max(axis=-1)  # (N, K)


def _sum_over_pieces(x, weight, bias):
    return _pieces(x, weight, bias).sum(axis=0)


def _max_started_at_zero(x, weight, bias):
    out = np.zeros((x.shape[0], weight.shape[2]))
    for k in range(weight.shape[0]):
        out = np.maximum(out, x @ weight[k] + bias[k])
    return out


def _no_bias(x, weight, bias):
    return (x @ weight).max(axis=0)


def _bias_against_samples(x, weight, bias):
    try:
        return (x @ weight + bias).max(axis=0)  # (K, M) lines up with (N, M): K meets N
    except ValueError:
        return None  # numpy refuses to broadcast: a bare ValueError identifies nothing


def _weight_transposed(x, weight, bias):
    try:
        return (x @ np.swapaxes(weight, 1, 2) + bias[:, None, :]).max(axis=0)  # weight read as (K, M, D)
    except ValueError:
        return None


def _reshape_without_transpose(x, weight, bias):
    K, D, M = weight.shape
    flat = x @ weight.reshape(D, K * M) + bias.reshape(K * M)  # (N, K*M): weight's memory re-cut, not moved
    return flat.reshape(x.shape[0], K, M).max(axis=1)


def _max_of_parameters(x, weight, bias):
    return x @ weight.max(axis=0) + bias.max(axis=0)


def _argmax(x, weight, bias):
    return _pieces(x, weight, bias).argmax(axis=0)


MISTAKES: list[Mistake] = [
    Mistake(
        "max_over_samples",
        FUNCTION,
        _max_over_samples,
        "You took the maximum over the samples (the N axis of the (K, N, M) pieces). Maxout compares the K "
        "pieces for each sample and unit: take the maximum over the piece axis, axis 0.",
        "你在样本轴（(K, N, M) 中的 N 轴）上取了最大值。Maxout 是对每个样本、每个输出单元比较 K 个片："
        "应在片的轴，也就是第 0 轴上取最大值。",
    ),
    Mistake(
        "max_over_units",
        FUNCTION,
        _max_over_units,
        "You took the maximum over the output units (the M axis), which gives (N, K). Each of the M units "
        "keeps its own value: take the maximum over the K pieces instead.",
        "你在输出单元的轴（M 轴）上取了最大值，得到 (N, K)。M 个单元各自保留自己的值：应在 K 个片上取最大值。",
    ),
    Mistake(
        "sum_over_pieces",
        FUNCTION,
        _sum_over_pieces,
        "You added the pieces together. A sum of linear pieces is just one linear layer; maxout takes their "
        "maximum, which is what makes it non-linear.",
        "你把各片加在了一起。线性片的和仍然只是一个线性层；maxout 取的是它们的最大值，这才让它成为非线性的。",
    ),
    Mistake(
        "max_started_at_zero",
        FUNCTION,
        _max_started_at_zero,
        "Your running maximum starts at 0, so negative outputs are cut to 0 — that is max(0, pieces), a ReLU on "
        "top. Start from the first piece (or use z.max(axis=0)): when every piece is negative, so is maxout.",
        "你的逐片最大值从 0 开始，于是负的输出都被截成了 0——这相当于在 maxout 之上又加了一个 ReLU。"
        "应从第一片开始（或用 z.max(axis=0)）：所有片都为负时，maxout 的输出也是负的。",
    ),
    Mistake(
        "no_bias",
        FUNCTION,
        _no_bias,
        "The bias is missing: each piece is x @ weight[k] + bias[k]. (With x = 0 the output is the largest "
        "bias, not 0.)",
        "漏掉了偏置：每一片是 x @ weight[k] + bias[k]。（x = 0 时输出应是最大的偏置，而不是 0。）",
    ),
    Mistake(
        "bias_against_samples",
        FUNCTION,
        _bias_against_samples,
        "You added bias (K, M) straight to the (K, N, M) pieces: broadcasting lines bias's K axis up with the "
        "samples axis N, so sample n gets piece n's bias. Add bias[:, None, :], shape (K, 1, M).",
        "你把 (K, M) 的 bias 直接加到了 (K, N, M) 的片上：广播会把 bias 的 K 轴对到样本轴 N 上，"
        "于是第 n 个样本加上的是第 n 片的偏置。应加 bias[:, None, :]，形状 (K, 1, M)。",
    ),
    Mistake(
        "weight_transposed",
        FUNCTION,
        _weight_transposed,
        "You multiplied by weight[k].T, reading each piece as (M, D) like nn.Linear's weight. Here a piece is "
        "(D, M): x @ weight[k], no transpose.",
        "你乘的是 weight[k].T，把每一片当成了 nn.Linear 那样的 (M, D)。这里每片是 (D, M)：直接 x @ weight[k]，不要转置。",
    ),
    Mistake(
        "reshape_without_transpose",
        FUNCTION,
        _reshape_without_transpose,
        "You turned weight (K, D, M) into one (D, K*M) matrix with reshape alone. reshape re-cuts the memory "
        "without moving axes, so the columns mix the pieces' rows. Move K next to M first: "
        "weight.transpose(1, 0, 2).reshape(D, K * M) — or use x @ weight, which gives (K, N, M) directly.",
        "你只用 reshape 把 (K, D, M) 的 weight 变成了一个 (D, K*M) 的矩阵。reshape 只是重新切分内存、不会移动轴，"
        "于是各列混进了不同片的行。先把 K 移到 M 旁边：weight.transpose(1, 0, 2).reshape(D, K * M)——"
        "或者直接用 x @ weight 得到 (K, N, M)。",
    ),
    Mistake(
        "max_of_parameters",
        FUNCTION,
        _max_of_parameters,
        "You took the maximum of the weights and biases before multiplying: x @ weight.max(0) + bias.max(0). "
        "Maxout compares the pieces' outputs, which depend on x: compute every piece first, then the maximum.",
        "你先对权重和偏置取最大值再相乘：x @ weight.max(0) + bias.max(0)。Maxout 比较的是各片的输出，"
        "而输出取决于 x：先算出每一片，再取最大值。",
    ),
    Mistake(
        "argmax",
        FUNCTION,
        _argmax,
        "You returned argmax — which piece wins — instead of the winning value. Use max, not argmax.",
        "你返回的是 argmax——哪一片最大——而不是最大的那个值。用 max，不要用 argmax。",
    ),
]
