"""Grading for `embedding`: the lookup against F.embedding, its gradient against autograd.

Contract for the cases: indices are int64 arrays of any shape (0-d to 3-d), weight is (V, D) with V != D except in
one square case. Out-of-range indices: PyTorch raises IndexError (negative ones included, where numpy would count
from the end), so `embedding` must raise IndexError too; those cases expect `Raises(IndexError, ...)`.
`embedding_grad` only gets indices in range, and padding_idx in [-V, V) or None.
"""

from __future__ import annotations

import numpy as np

from dlquiz.grading.spec import Case, Mistake, Raises

LOOKUP = "embedding"
GRAD = "embedding_grad"


# -- cases ------------------------------------------------------------------------------------


def _lookup(name, indices, weight) -> Case:
    return Case(f"embedding: {name}", LOOKUP, (np.asarray(indices, dtype=np.int64), weight))


def _grad(name, indices, grad_output, V, padding_idx=None) -> Case:
    kwargs = {} if padding_idx is None else {"padding_idx": padding_idx}
    return Case(f"embedding_grad: {name}", GRAD, (np.asarray(indices, dtype=np.int64), grad_output, V), kwargs)


def _lookup_cases() -> list[Case]:
    rng = np.random.default_rng(44)
    n = rng.normal
    return [
        _lookup("1-d indices with repeats, V != D", [2, 0, 2, 5, 1, 2], n(size=(6, 4))),
        _lookup("one index, 0-d (shape ())", np.array(3), n(size=(5, 3))),
        _lookup("(N, L) batch of sequences, N != L", rng.integers(0, 7, (2, 5)), n(size=(7, 3))),
        _lookup("(N, L, K) 3-d indices", rng.integers(0, 10, (2, 3, 4)), n(size=(10, 2))),
        _lookup("first and last rows (0 and V-1)", [0, 8, 0, 8], n(size=(9, 5))),
        _lookup("one sequence (N=1)", [[4, 1, 1, 0]], n(size=(5, 6))),
        _lookup("vectors of one dimension (D=1)", [3, 0, 2, 3], n(size=(4, 1))),
        _lookup("a one-row table (V=1)", [0, 0, 0], n(size=(1, 5))),
        _lookup("square table (V == D)", [1, 3, 0, 0, 2], n(size=(4, 4))),
        _lookup("all-negative weights near -1e6", [[2, 1], [0, 2], [1, 1]], -1e6 - rng.random((3, 5))),
        _lookup("no indices at all (shape (0,))", np.zeros(0, dtype=np.int64), n(size=(4, 3))),
        _lookup("index == V is out of range", [1, 6, 2], n(size=(6, 3))),
        _lookup("negative index is out of range", [0, -1, 3], n(size=(5, 2))),
        _lookup("negative index inside an (N, L) batch", [[1, 2, 0], [3, -4, 1]], n(size=(4, 3))),
    ]


def _grad_cases() -> list[Case]:
    rng = np.random.default_rng(4401)
    n = rng.normal
    return [
        _grad("1-d indices with repeats", [1, 3, 1, 1, 0], n(size=(5, 3)), 5),
        _grad("one index, 0-d (shape ())", np.array(2), n(size=(4,)), 6),
        _grad("(N, L) with padding_idx=0 among repeats", [[0, 2, 2], [3, 0, 1]], n(size=(2, 3, 2)), 5, 0),
        _grad(
            "(N, L, K) with padding_idx=-1 (the last row)", rng.integers(0, 6, (2, 3, 4)), n(size=(2, 3, 4, 3)), 6, -1
        ),
        _grad("1-d, padding_idx=0 occurs once", [2, 0, 1, 2], n(size=(4, 3)), 3, 0),
        _grad("padding_idx=2 never occurs", [0, 1, 1, 3], n(size=(4, 5)), 4, 2),
        _grad("padding_idx=-3 (counts from the end)", [5, 2, 3, 2, 4], n(size=(5, 2)), 6, -3),
        _grad("one index repeated everywhere", np.full((3, 4), 3), n(size=(3, 4, 2)), 5),
        _grad("rows never used stay zero (V=8)", [[1, 2], [2, 1]], n(size=(2, 2, 3)), 8),
        _grad("one sequence (N=1), padding_idx=1", [[1, 0, 1, 4]], n(size=(1, 4, 3)), 5, 1),
        _grad("no indices at all (shape (0,))", np.zeros(0, dtype=np.int64), np.zeros((0, 3)), 4),
    ]


def _random_cases() -> list[Case]:
    rng = np.random.default_rng(20240644)
    cases = []
    for index in range(4):
        shape = tuple(int(s) for s in rng.integers(1, 5, index))  # (), (a,), (a, b), (a, b, c)
        V, D = int(rng.integers(2, 9)), int(rng.integers(1, 6))
        if V == D:
            V += 1
        indices = rng.integers(0, V, shape)
        cases.append(_lookup(f"random indices {shape}, weight {(V, D)}", indices, rng.normal(size=(V, D))))
        grad_shape = tuple(int(s) for s in rng.integers(2, 6, 1 + index % 3))  # room for repeats
        indices = rng.integers(0, V, grad_shape)
        padding_idx = [None, int(indices.flat[0]), -1, None][index]
        cases.append(
            _grad(
                f"random indices {grad_shape}, V={V}, D={D}, padding_idx={padding_idx}",
                indices,
                rng.normal(size=grad_shape + (D,)),
                V,
                padding_idx,
            )
        )
    return cases


def cases() -> list[Case]:
    return _lookup_cases() + _grad_cases() + _random_cases()


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> object:
    import torch
    import torch.nn.functional as F

    if case.function == LOOKUP:
        indices, weight = case.args
        try:
            out = F.embedding(torch.from_numpy(indices), torch.from_numpy(weight))
        except IndexError as error:
            V = weight.shape[0]
            bad = int(indices[(indices < 0) | (indices >= V)].flat[0])
            return Raises(IndexError, f"index {bad} is outside [0, {V}) — PyTorch: {error}")
        return out.numpy().copy()

    indices, grad_output, V = case.args
    weight = torch.zeros(V, grad_output.shape[-1], dtype=torch.float64, requires_grad=True)
    out = F.embedding(torch.from_numpy(indices), weight, padding_idx=case.kwargs.get("padding_idx"))
    # d/dweight of sum(out * grad_output) is the vector-Jacobian product with grad_output (and, unlike
    # out.backward(grad_output), it spares torch a 0.3 s import of sympy to check the gradient's shape).
    (out * torch.from_numpy(grad_output)).sum().backward()
    return weight.grad.numpy().copy()


# -- mistakes learners make ----------------------------------------------------------------------


def _in_range(indices, V) -> bool:
    return bool(((indices >= 0) & (indices < V)).all())


def _negative_indices_wrap(indices, weight):
    if (indices >= weight.shape[0]).any():
        return None  # numpy raises IndexError there too: nothing to tell apart
    return weight[indices]  # weight[-1] is the last row


def _rows_and_columns_swapped(indices, weight):
    if not _in_range(indices, weight.shape[1]):
        return None  # it would raise an IndexError, which says nothing about this mistake
    return weight.T[indices]  # column i instead of row i


def _flattened(indices, weight):
    if not _in_range(indices, weight.shape[0]):
        return None
    return weight[indices.reshape(-1)]  # (n, D) whatever the shape of indices


def _bag(reduce):
    def bagged(indices, weight):
        if indices.ndim == 0 or not _in_range(indices, weight.shape[0]):
            return None
        return reduce(weight[indices], axis=-2)  # one vector per sequence, as nn.EmbeddingBag

    return bagged


def _scaled_by_sqrt_d(indices, weight):
    if not _in_range(indices, weight.shape[0]):
        return None
    return weight[indices] * np.sqrt(weight.shape[1])


def _one_based(indices, weight):
    if not _in_range(indices, weight.shape[0]):
        return None
    return weight[indices - 1]  # index 0 wraps round to the last row


def _grad_with(*, accumulate=True, average=False, padding="correct", integer=False):
    """A numpy embedding gradient; each keyword switches on one learner mistake."""

    def gradient(indices, grad_output, num_embeddings, padding_idx=None):
        D = grad_output.shape[-1]
        grad = np.zeros((num_embeddings, D), dtype=indices.dtype if integer else grad_output.dtype)
        flat, rows = indices.reshape(-1), grad_output.reshape(-1, D)
        if accumulate:
            np.add.at(grad, flat, rows)
        else:
            grad[flat] += rows  # buffered: a repeated index keeps one of its rows
        if average:
            counts = np.bincount(flat, minlength=num_embeddings)[:, None]  # (V, 1)
            grad = grad / np.maximum(counts, 1)
        if padding == "correct" and padding_idx is not None:
            grad[padding_idx] = 0.0
        elif padding == "falsy" and padding_idx:
            grad[padding_idx] = 0.0
        elif padding == "unguarded":
            grad[padding_idx] = 0.0  # padding_idx None: grad[None] = 0 zeroes everything
        return grad

    return gradient


# Order matters for ties: on a padding_idx=0 case "padding_zero_is_falsy" and "padding_not_zeroed" give the same
# output, and the grader names the one listed first unless the other explains more failed cases.
MISTAKES: list[Mistake] = [
    Mistake(
        "negative_indices_wrap",
        LOOKUP,
        _negative_indices_wrap,
        "A negative index returned a row: numpy counts weight[-1] from the end, but PyTorch refuses every index "
        "outside [0, V) with IndexError. Check `(indices < 0) | (indices >= V)` and raise IndexError.",
        "负数下标返回了一行：numpy 把 weight[-1] 当作从末尾数起，而 PyTorch 对 [0, V) 以外的任何下标都抛出 IndexError。"
        "请检查 `(indices < 0) | (indices >= V)`，有则抛出 IndexError。",
    ),
    Mistake(
        "rows_and_columns_swapped",
        LOOKUP,
        _rows_and_columns_swapped,
        "Index i picked column i of weight (weight.T[i] or weight[:, i]). weight is (V, D): one row per index, "
        "so the vector of index i is the row weight[i].",
        "下标 i 取到的是 weight 的第 i 列（weight.T[i] 或 weight[:, i]）。weight 的形状是 (V, D)，每个下标一行，"
        "下标 i 的向量是第 i 行 weight[i]。",
    ),
    Mistake(
        "flattened",
        LOOKUP,
        _flattened,
        "The output lost the shape of indices: it should be indices.shape + (D,) — (N, L, D) for (N, L) indices, "
        "(D,) for a single 0-d index — not (number of indices, D). weight[indices] keeps the shape by itself.",
        "输出丢掉了 indices 的形状：应为 indices.shape + (D,)——(N, L) 的下标得到 (N, L, D)，"
        "0 维的单个下标得到 (D,)——而不是 (下标个数, D)。weight[indices] 本身就会保持形状。",
    ),
    Mistake(
        "bag_mean",
        LOOKUP,
        _bag(np.mean),
        "The vectors of each sequence were averaged into one: that is nn.EmbeddingBag (mode='mean'). "
        "F.embedding returns one vector per index, shape indices.shape + (D,).",
        "每个序列的向量被平均成了一个：那是 nn.EmbeddingBag（mode='mean'）。"
        "F.embedding 为每个下标返回一个向量，形状为 indices.shape + (D,)。",
    ),
    Mistake(
        "bag_sum",
        LOOKUP,
        _bag(np.sum),
        "The vectors of each sequence were summed into one: that is nn.EmbeddingBag(mode='sum'). "
        "F.embedding returns one vector per index, shape indices.shape + (D,).",
        "每个序列的向量被加成了一个：那是 nn.EmbeddingBag(mode='sum')。"
        "F.embedding 为每个下标返回一个向量，形状为 indices.shape + (D,)。",
    ),
    Mistake(
        "scaled_by_sqrt_d",
        LOOKUP,
        _scaled_by_sqrt_d,
        "The vectors were multiplied by sqrt(D). The Transformer scales its embeddings by sqrt(d_model), but "
        "outside the embedding layer: F.embedding returns the rows of weight exactly as stored.",
        "向量被乘上了 sqrt(D)。Transformer 确实会把嵌入乘以 sqrt(d_model)，但那是在嵌入层之外做的："
        "F.embedding 原样返回 weight 的行。",
    ),
    Mistake(
        "one_based",
        LOOKUP,
        _one_based,
        "Index i picked row i - 1. Indices start at 0: index i selects weight[i] (and weight[0 - 1] quietly "
        "wraps to the last row).",
        "下标 i 取到了第 i - 1 行。下标从 0 开始：下标 i 对应 weight[i]（而 weight[0 - 1] 会悄悄绕到最后一行）。",
    ),
    Mistake(
        "repeats_lost",
        GRAD,
        _grad_with(accumulate=False),
        "A repeated index got the gradient of only one of its positions: `grad[indices] += grad_output` is "
        "buffered, so each row is written once however often its index occurs. Use "
        "`np.add.at(grad, indices, grad_output)`, which adds every occurrence.",
        "重复出现的下标只得到了其中一个位置的梯度：`grad[indices] += grad_output` 是带缓冲的，"
        "无论下标出现多少次，每一行只写入一次。请用 `np.add.at(grad, indices, grad_output)`，它会把每次出现都加上。",
    ),
    Mistake(
        "repeats_averaged",
        GRAD,
        _grad_with(average=True),
        "The gradients of a repeated index were averaged. PyTorch sums them: a row used k times collects k "
        "gradients (dividing by the count is what scale_grad_by_freq=True does, and it is off by default).",
        "重复下标的梯度被取了平均。PyTorch 是求和：被用了 k 次的行累加 k 份梯度"
        "（除以出现次数是 scale_grad_by_freq=True 的行为，默认关闭）。",
    ),
    Mistake(
        "padding_zero_is_falsy",
        GRAD,
        _grad_with(padding="falsy"),
        "padding_idx=0 was ignored: `if padding_idx:` is False for 0, the most common padding index. "
        "Test `if padding_idx is not None:`.",
        "padding_idx=0 被忽略了：对最常见的填充下标 0，`if padding_idx:` 为假。请写 `if padding_idx is not None:`。",
    ),
    Mistake(
        "padding_not_zeroed",
        GRAD,
        _grad_with(padding="ignored"),
        "The padding_idx row received a gradient. F.embedding(..., padding_idx=p) never trains row p: set "
        "grad[padding_idx] = 0 when padding_idx is not None.",
        "padding_idx 那一行得到了梯度。F.embedding(..., padding_idx=p) 从不训练第 p 行："
        "当 padding_idx 不是 None 时，令 grad[padding_idx] = 0。",
    ),
    Mistake(
        "padding_none_zeroes_everything",
        GRAD,
        _grad_with(padding="unguarded"),
        "With padding_idx=None every row came back zero: grad[None] = 0 means grad[np.newaxis] = 0, which "
        "writes the whole array. Zero the row only when padding_idx is not None.",
        "padding_idx=None 时所有行都变成了 0：grad[None] = 0 等于 grad[np.newaxis] = 0，会写遍整个数组。"
        "只在 padding_idx 不是 None 时把那一行置 0。",
    ),
    Mistake(
        "integer_grad",
        GRAD,
        _grad_with(integer=True),
        "The gradient array was created with the indices' integer dtype, so every gradient added to it was "
        "truncated to an integer (np.add.at does so silently; `+=` refuses). Create it as float: "
        "np.zeros((V, D), dtype=grad_output.dtype).",
        "梯度数组用了 indices 的整数 dtype，加进去的每个梯度都被截断成了整数（np.add.at 会悄悄截断，`+=` 则直接报错）。"
        "请用浮点类型创建：np.zeros((V, D), dtype=grad_output.dtype)。",
    ),
]
