"""Grading for the attention exercise: cases, PyTorch's answer, and the mistakes learners make.

Contract for the cases: masks are boolean with True = may attend (the polarity of
``F.scaled_dot_product_attention``; ``nn.MultiheadAttention`` uses the opposite, so the
reference inverts it). No case ever masks every key of a query. For
``multi_head_self_attention`` the mask is (L, L), shared by every sequence and head.
"""

from __future__ import annotations

import numpy as np

from dlquiz.grading.spec import Case, Mistake

SDPA = "scaled_dot_product_attention"
MHA = "multi_head_self_attention"


# -- cases ------------------------------------------------------------------------------------


def _sdpa_case(name, q, k, v, mask=None) -> Case:
    kwargs = {} if mask is None else {"mask": mask}
    return Case(name=name, function=SDPA, args=(q, k, v), kwargs=kwargs)


def _mha_case(name, x, weights, num_heads, mask=None) -> Case:
    kwargs = {} if mask is None else {"mask": mask}
    return Case(name=name, function=MHA, args=(x, *weights, num_heads), kwargs=kwargs)


def _mixed_mask(rng, shape):
    """A random boolean mask in which every row has at least one True and one False (needs S >= 2)."""
    mask = rng.random(shape) < 0.5
    rows = mask.reshape(-1, shape[-1])  # a view: (rows, S)
    for row in rows:
        allowed, blocked = rng.choice(shape[-1], size=2, replace=False)
        row[allowed], row[blocked] = True, False
    return mask


def _causal(L):
    return np.tril(np.ones((L, L), dtype=bool))  # (L, L) query i may attend to keys 0..i


def _mha_weights(rng, E):
    """in_proj_weight (3E, E), in_proj_bias (3E,), out_proj_weight (E, E), out_proj_bias (E,)."""
    bound = 1.0 / np.sqrt(E)
    return (
        rng.uniform(-bound, bound, (3 * E, E)),
        rng.normal(0.0, 0.2, 3 * E),
        rng.uniform(-bound, bound, (E, E)),
        rng.normal(0.0, 0.2, E),
    )


def _sdpa_cases() -> list[Case]:
    rng = np.random.default_rng(7)
    n = rng.normal
    cases = []

    q, k, v = n(size=(2, 3, 4, 8)), n(size=(2, 3, 5, 8)), n(size=(2, 3, 5, 6))  # (B, H, L|S, E|E|Ev)
    cases.append(_sdpa_case("attention: (B, H) batch, L != S, E != Ev", q, k, v))

    q, k, v = n(size=(3, 4)), n(size=(5, 4)), n(size=(5, 2))  # (L, E), (S, E), (S, Ev)
    cases.append(_sdpa_case("attention: plain (L, E) without batch axes", q, k, v))

    q, k, v = n(size=(2, 1, 6)), n(size=(2, 4, 6)), n(size=(2, 4, 3))
    cases.append(_sdpa_case("attention: one query, L=1", q, k, v))

    q, k, v = n(size=(2, 3, 5)), n(size=(2, 1, 5)), n(size=(2, 1, 2))  # a single key takes all the weight
    cases.append(_sdpa_case("attention: one key, S=1", q, k, v))

    q, k, v = np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), n(size=(2, 5, 3))  # scores 0: weights 1/S, the mean of v
    cases.append(_sdpa_case("attention: all-zero q and k (uniform weights)", q, k, v))

    q, k, v = n(size=(2, 2, 5, 4)), n(size=(2, 2, 5, 4)), n(size=(2, 2, 5, 3))
    cases.append(_sdpa_case("attention: causal (L, S) mask over a (B, H) batch", q, k, v, _causal(5)))

    q, k, v = n(size=(2, 4, 6)), n(size=(2, 7, 6)), n(size=(2, 7, 3))
    cases.append(_sdpa_case("attention: (L, S) mask with L != S", q, k, v, _mixed_mask(rng, (4, 7))))

    q, k, v = n(size=(2, 3, 4, 5)), n(size=(2, 3, 6, 5)), n(size=(2, 3, 6, 2))
    mask = _mixed_mask(rng, (2, 1, 4, 6))  # (B, 1, L, S): one mask per batch element, shared by the H heads
    cases.append(_sdpa_case("attention: (B, 1, L, S) mask broadcast over heads", q, k, v, mask))

    q, k, v = n(size=(3, 4)), n(size=(6, 4)), n(size=(6, 5))
    cases.append(_sdpa_case("attention: mask allowing everything", q, k, v, np.ones((3, 6), dtype=bool)))

    q, k, v = 1e3 * n(size=(2, 4, 4)), 1e3 * n(size=(2, 6, 4)), n(size=(2, 6, 3))  # scores around +-1e6
    cases.append(_sdpa_case("attention: scores near +-1e6 (exp overflows)", q, k, v))

    # scores 2000 + O(1): the softmax is not one-hot, yet exp(2000) is inf
    q = np.concatenate([np.full((2, 3, 1), 40.0), n(size=(2, 3, 3))], axis=-1)  # (B, L, 4)
    k = np.concatenate([np.full((2, 5, 1), 100.0), n(size=(2, 5, 3))], axis=-1)  # (B, S, 4)
    cases.append(_sdpa_case("attention: scores near 2000, softmax not one-hot", q, k, n(size=(2, 5, 6))))

    q, k, v = 30 * n(size=(3, 5)), 30 * n(size=(4, 5)), n(size=(4, 2))
    cases.append(_sdpa_case("attention: large scores with a mask", q, k, v, _mixed_mask(rng, (3, 4))))
    return cases


def _mha_cases() -> list[Case]:
    rng = np.random.default_rng(11)
    n = rng.normal
    # first sequence around 100, second around 1: scores in the thousands overflow exp(), and the second
    # sequence's scores sit thousands below the first one's maximum
    loud_and_quiet = np.array([100.0, 1.0])[:, None, None] * n(size=(2, 4, 8))  # (N, L, E)
    return [
        _mha_case("multi-head: N=2, L=4, E=6, 2 heads", n(size=(2, 4, 6)), _mha_weights(rng, 6), 2),
        _mha_case("multi-head: one head", n(size=(2, 3, 4)), _mha_weights(rng, 4), 1),
        _mha_case("multi-head: one sequence (N=1), 4 heads", n(size=(1, 5, 8)), _mha_weights(rng, 8), 4),
        _mha_case("multi-head: one token (L=1)", n(size=(3, 1, 6)), _mha_weights(rng, 6), 3),
        _mha_case("multi-head: causal mask, 3 heads", n(size=(2, 5, 6)), _mha_weights(rng, 6), 3, _causal(5)),
        _mha_case(
            "multi-head: random (L, L) mask", n(size=(3, 4, 8)), _mha_weights(rng, 8), 2, _mixed_mask(rng, (4, 4))
        ),
        _mha_case("multi-head: inputs near 100 (exp overflows)", loud_and_quiet, _mha_weights(rng, 8), 2),
    ]


def _random_cases() -> list[Case]:
    rng = np.random.default_rng(20240602)
    cases = []
    for index in range(4):
        batch = tuple(int(size) for size in rng.integers(1, 4, index % 3))  # (), (B,) or (B, H)
        L, S, E, Ev = (int(size) for size in rng.integers(1, 7, 4))
        q = rng.normal(size=batch + (L, E))  # (..., L, E)
        k = rng.normal(size=batch + (S, E))  # (..., S, E)
        v = rng.normal(size=batch + (S, Ev))  # (..., S, Ev)
        mask = _mixed_mask(rng, (L, S)) if index % 2 and S > 1 else None
        name = f"attention: random q {q.shape}, k {k.shape}, v {v.shape}" + (" with mask" if mask is not None else "")
        cases.append(_sdpa_case(name, q, k, v, mask))
    for index in range(3):
        num_heads = int(rng.integers(1, 4))
        hs = int(rng.integers(1, 4))
        if hs == num_heads > 1:
            hs += 1  # with hs == nh, sqrt(E) == hs: two different scaling mistakes would give the same output
        E = num_heads * hs
        N, L = (int(size) for size in rng.integers(1, 5, 2))
        mask = _causal(L) if index == 1 else None
        name = f"multi-head: random x {(N, L, E)}, {num_heads} heads" + (", causal" if mask is not None else "")
        cases.append(_mha_case(name, rng.normal(size=(N, L, E)), _mha_weights(rng, E), num_heads, mask))
    return cases


def cases() -> list[Case]:
    return _sdpa_cases() + _mha_cases() + _random_cases()


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> object:
    import torch
    import torch.nn.functional as F

    def tensor(array):
        return torch.from_numpy(array).double()

    mask = case.kwargs.get("mask")
    with torch.no_grad():
        if case.function == SDPA:
            q, k, v = (tensor(array) for array in case.args)
            attn_mask = None if mask is None else torch.from_numpy(mask)  # True = may attend, as ours
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=0.0)
            return out.numpy().copy()

        x, in_w, in_b, out_w, out_b, num_heads = case.args
        E = x.shape[-1]
        mha = torch.nn.MultiheadAttention(E, num_heads, batch_first=True, dtype=torch.float64)
        mha.in_proj_weight.copy_(tensor(in_w))
        mha.in_proj_bias.copy_(tensor(in_b))
        mha.out_proj.weight.copy_(tensor(out_w))
        mha.out_proj.bias.copy_(tensor(out_b))
        mha.eval()
        attn_mask = None if mask is None else ~torch.from_numpy(mask)  # nn.MultiheadAttention: True = masked
        x = tensor(x)
        out, _ = mha(x, x, x, attn_mask=attn_mask, need_weights=False)
        return out.numpy().copy()


# -- mistakes learners make ----------------------------------------------------------------------


def _attend(
    q,
    k,
    v,
    mask=None,
    *,
    divisor=None,
    scaling="sqrt_e",
    softmax_axis=-1,
    invert_mask=False,
    naive_softmax=False,
    global_max=False,
    mask_after_softmax=False,
):
    """A numpy attention; each keyword flaw switches on one learner mistake."""
    if divisor is None:
        divisor = {
            "sqrt_e": np.sqrt(q.shape[-1]),
            "none": 1.0,
            "sqrt_ev": np.sqrt(v.shape[-1]),
            "e": q.shape[-1],
        }[scaling]
    scores = q @ np.swapaxes(k, -1, -2) / divisor  # (..., L, S)
    if mask is not None and invert_mask:
        mask = ~mask
    if mask is not None and not mask_after_softmax:
        scores = np.where(mask, scores, -np.inf)
    if naive_softmax:
        weights = np.exp(scores)
    elif global_max:
        weights = np.exp(scores - scores.max())
    else:
        weights = np.exp(scores - scores.max(axis=softmax_axis, keepdims=True))
    weights = weights / weights.sum(axis=softmax_axis, keepdims=True)
    if mask is not None and mask_after_softmax:
        weights = weights * mask  # zeroed, never renormalised: the rows no longer sum to 1
    return weights @ v  # (..., L, Ev)


def _mha(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    num_heads,
    mask=None,
    *,
    split="correct",
    merge_transpose=True,
    scale_by_model_dim=False,
    out_projection=True,
    transpose_weights=True,
    **attend_flaws,
):
    """A numpy multi-head self-attention; each keyword flaw switches on one learner mistake."""
    N, L, E = x.shape
    hs = E // num_heads
    if transpose_weights:
        qkv = x @ in_proj_weight.T + in_proj_bias  # (N, L, 3E)
        q, k, v = np.split(qkv, 3, axis=-1)
    else:
        w_q, w_k, w_v = np.split(in_proj_weight, 3, axis=0)  # 3 x (E, E)
        b_q, b_k, b_v = np.split(in_proj_bias, 3)
        q, k, v = x @ w_q + b_q, x @ w_k + b_k, x @ w_v + b_v  # x W instead of x W^T
    if split == "correct":
        heads = [t.reshape(N, L, num_heads, hs).transpose(0, 2, 1, 3) for t in (q, k, v)]
    elif split == "reshape":
        heads = [t.reshape(N, num_heads, L, hs) for t in (q, k, v)]  # no transpose: tokens and features mixed
    elif split == "no_transpose":  # (N, L, nh, hs) kept as is: attention runs across the heads of each token
        heads = [t.reshape(N, L, num_heads, hs) for t in (q, k, v)]
    else:  # "interleaved": feature j goes to head j % num_heads
        heads = [t.reshape(N, L, hs, num_heads).transpose(0, 3, 1, 2) for t in (q, k, v)]
    if scale_by_model_dim:
        attend_flaws = {**attend_flaws, "divisor": np.sqrt(E)}
    y = _attend(*heads, mask, **attend_flaws)  # (N, nh, L, hs)
    if split == "interleaved":
        y = y.transpose(0, 2, 3, 1).reshape(N, L, E)
    elif split in ("reshape", "no_transpose") or not merge_transpose:
        y = y.reshape(N, L, E)
    else:
        y = y.transpose(0, 2, 1, 3).reshape(N, L, E)
    if not out_projection:
        return y
    if transpose_weights:
        return y @ out_proj_weight.T + out_proj_bias
    return y @ out_proj_weight + out_proj_bias


def _quiet(function, **flaw):
    def implementation(*args, **kwargs):
        with np.errstate(all="ignore"):
            return function(*args, **kwargs, **flaw)

    return implementation


# Mistakes in the attention step itself: each is diagnosed in both functions,
# since multi_head_self_attention usually calls the learner's own attention.
_ATTENTION_MISTAKES = [
    (
        "no_scaling",
        {"scaling": "none"},
        "The scores were not scaled. Divide q @ k^T by sqrt(E), E being the last dimension of q and k "
        "(the head size inside multi-head attention); without it large dot products push the softmax to one-hot.",
        "注意力分数没有缩放。q @ k^T 要除以 sqrt(E)，E 是 q、k 的最后一维（多头注意力里就是每个头的维度）；"
        "不缩放的话点积很大，softmax 会变成几乎 one-hot。",
    ),
    (
        "scaled_by_value_dim",
        {"scaling": "sqrt_ev"},
        "The scores were divided by sqrt of the value dimension Ev. Scale by sqrt(E), the dimension of the "
        "queries and keys whose dot product you took.",
        "分数除以了 value 维度 Ev 的平方根。应当除以 sqrt(E)，E 是做点积的 q、k 的维度。",
    ),
    (
        "scaled_by_dim_not_sqrt",
        {"scaling": "e"},
        "The scores were divided by E instead of sqrt(E). Scaled dot-product attention uses 1 / sqrt(E).",
        "分数除以了 E 而不是 sqrt(E)。缩放点积注意力的系数是 1 / sqrt(E)。",
    ),
    (
        "softmax_wrong_axis",
        {"softmax_axis": -2},
        "The softmax ran over the wrong axis (the queries). Each query's weights over the keys must sum to 1: "
        "take the softmax over the last axis of the (..., L, S) scores.",
        "softmax 的轴选错了（在 query 那一维上做了）。每个 query 对所有 key 的权重之和应为 1："
        "在 (..., L, S) 分数的最后一维上做 softmax。",
    ),
    (
        "inverted_mask",
        {"invert_mask": True},
        "The mask was applied the wrong way round. Here True means 'may attend': keep those scores and set the "
        "False ones to -inf. (nn.MultiheadAttention's attn_mask uses the opposite convention, True = blocked.)",
        "掩码用反了。这里 True 表示“可以关注”：保留这些位置的分数，把 False 的位置设为 -inf。"
        "（nn.MultiheadAttention 的 attn_mask 恰好相反，True 表示屏蔽。）",
    ),
    (
        "naive_softmax",
        {"naive_softmax": True},
        "The softmax overflowed: exp() of a score above about 709 is inf, and inf / inf is nan. Subtract each "
        "row's maximum before exp (softmax(s) = softmax(s - max(s))); the result is mathematically the same.",
        "softmax 溢出了：分数超过约 709 时 exp() 得到 inf，inf / inf 就是 nan。"
        "在 exp 之前减去每一行的最大值（softmax(s) = softmax(s - max(s))），数学上结果不变。",
    ),
    (
        "global_max_softmax",
        {"global_max": True},
        "The softmax subtracted one maximum over the whole array instead of each row's own maximum. Rows whose "
        "scores sit far below that maximum underflow to 0 / 0 = nan. Use max(axis=-1, keepdims=True).",
        "softmax 减去的是整个数组的最大值，而不是每一行自己的最大值。分数远低于它的行会下溢成 0 / 0 = nan。"
        "应当用 max(axis=-1, keepdims=True)。",
    ),
    (
        "mask_after_softmax",
        {"mask_after_softmax": True},
        "The mask was applied after the softmax, zeroing weights without renormalising, so the weights no longer "
        "sum to 1. Mask the scores before the softmax: set the blocked ones to -inf.",
        "掩码是在 softmax 之后加的：只把权重置零而没有重新归一化，权重之和不再是 1。"
        "应当在 softmax 之前处理分数：把被屏蔽的位置设为 -inf。",
    ),
]

_MHA_MISTAKES = [
    (
        "heads_reshape_without_transpose",
        {"split": "reshape"},
        "The heads were split with reshape alone, (N, L, E) -> (N, nh, L, hs), which mixes tokens and features. "
        "Reshape to (N, L, nh, hs) and then transpose to (N, nh, L, hs); undo it the same way before the out "
        "projection.",
        "分头时只用了 reshape：(N, L, E) -> (N, nh, L, hs)，这样会把不同 token 的特征混在一起。"
        "应先 reshape 成 (N, L, nh, hs)，再 transpose 成 (N, nh, L, hs)；合并时按相反顺序还原。",
    ),
    (
        "heads_not_transposed",
        {"split": "no_transpose"},
        "The heads were split to (N, L, nh, hs) but not transposed to (N, nh, L, hs). Attention works on the "
        "last two axes, so each token attended over its own nh heads instead of each head over the L tokens. "
        "Transpose with .transpose(0, 2, 1, 3) after the reshape, and back before merging the heads.",
        "分头时 reshape 成了 (N, L, nh, hs)，却没有 transpose 成 (N, nh, L, hs)。注意力作用在最后两个轴上，"
        "于是变成了每个 token 在自己的 nh 个头之间做注意力，而不是每个头在 L 个 token 之间做。"
        "reshape 之后用 .transpose(0, 2, 1, 3) 交换轴，合并多头之前再换回来。",
    ),
    (
        "heads_merged_without_transpose",
        {"merge_transpose": False},
        "The heads were merged with reshape alone, (N, nh, L, hs) -> (N, L, E). Transpose back to "
        "(N, L, nh, hs) first, then reshape to (N, L, E).",
        "合并多个头时只用了 reshape：(N, nh, L, hs) -> (N, L, E)。应先 transpose 回 (N, L, nh, hs)，"
        "再 reshape 成 (N, L, E)。",
    ),
    (
        "heads_split_wrong_dimension",
        {"split": "interleaved"},
        "The heads were split over the wrong dimension: feature j went to head j % nh. Head h owns the "
        "contiguous features h*hs .. (h+1)*hs - 1: reshape (N, L, E) to (N, L, nh, hs), not (N, L, hs, nh).",
        "分头的维度错了：第 j 个特征被分给了第 j % nh 个头。第 h 个头应当拥有连续的特征 h*hs .. (h+1)*hs - 1："
        "把 (N, L, E) reshape 成 (N, L, nh, hs)，而不是 (N, L, hs, nh)。",
    ),
    (
        "scaled_by_model_dim",
        {"scale_by_model_dim": True},
        "The scores were divided by sqrt(E) of the whole model. Each head attends in its own hs = E / nh "
        "dimensions: divide by sqrt(hs).",
        "分数除以了整个模型维度的 sqrt(E)。每个头在自己的 hs = E / nh 维里做注意力：应除以 sqrt(hs)。",
    ),
    (
        "no_out_projection",
        {"out_projection": False},
        "The output projection is missing. After merging the heads apply y @ out_proj_weight.T + out_proj_bias.",
        "漏掉了输出投影。合并多头之后还要计算 y @ out_proj_weight.T + out_proj_bias。",
    ),
    (
        "weights_not_transposed",
        {"transpose_weights": False},
        "The projections used x @ W instead of x @ W.T. PyTorch stores a linear layer's weight as (out, in) "
        "and computes x @ W.T + b; in_proj_weight stacks W_q, W_k, W_v as rows.",
        "投影用了 x @ W 而不是 x @ W.T。PyTorch 把线性层的权重存成 (out, in)，计算的是 x @ W.T + b；"
        "in_proj_weight 是把 W_q、W_k、W_v 按行堆叠起来的。",
    ),
]


def _scores_across_heads(message: str, case) -> bool:
    """The learner's error involves (N, L, nh, nh) scores: heads not transposed, so an (L, L) mask cannot apply."""
    x, num_heads = case.args[0], case.args[5]
    scores = (x.shape[0], x.shape[1], num_heads, num_heads)
    return str(scores).replace(" ", "") in message.replace(" ", "")


# Mistakes that show as an exception on some cases, and how to tell their error from any other of its type.
_ERROR_MATCHES = {"heads_not_transposed": _scores_across_heads}


MISTAKES: list[Mistake] = (
    [
        Mistake(name, SDPA, _quiet(_attend, **flaw), message_en, message_zh)
        for name, flaw, message_en, message_zh in _ATTENTION_MISTAKES
    ]
    + [
        Mistake(f"{name}_in_mha", MHA, _quiet(_mha, **flaw), message_en, message_zh)
        for name, flaw, message_en, message_zh in _ATTENTION_MISTAKES
        if name != "scaled_by_value_dim"  # each head's values have the queries' size: no difference there
    ]
    + [
        Mistake(name, MHA, _quiet(_mha, **flaw), message_en, message_zh, error_matches=_ERROR_MATCHES.get(name))
        for name, flaw, message_en, message_zh in _MHA_MISTAKES
    ]
)
