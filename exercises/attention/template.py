"""dlquiz exercise `attention`: scaled dot-product attention and multi-head self-attention, in numpy.

Grade this file with `dlquiz exercise attention` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q @ k^T / sqrt(E)) @ v, as torch.nn.functional.scaled_dot_product_attention computes it.

    q: (..., L, E) queries      k: (..., S, E) keys      v: (..., S, Ev) values
    mask: bool array broadcastable to (..., L, S), True = may attend; or None
    returns: (..., L, Ev), leaving every input unchanged
    """
    # TODO: scores = q @ k^T / sqrt(E)  # (..., L, S)  (transpose only the last two axes of k)
    # TODO: blocked positions (mask False) get the score -inf
    # TODO: softmax over the keys, the last axis  # (..., L, S)  (exp of scores in the thousands overflows)
    # TODO: the weighted sum of the values  # (..., L, Ev)
    raise NotImplementedError("scaled_dot_product_attention is not written yet")


def multi_head_self_attention(x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, num_heads, mask=None):
    """Self-attention with num_heads heads, as nn.MultiheadAttention(E, num_heads, batch_first=True) computes it.

    x: (N, L, E)
    in_proj_weight: (3E, E) W_q, W_k, W_v stacked as rows   in_proj_bias: (3E,)
    out_proj_weight: (E, E)   out_proj_bias: (E,)
    num_heads: nh, divides E; each head has hs = E // nh dimensions
    mask: (L, L) bool, True = may attend (nn.MultiheadAttention's attn_mask is the opposite); or None
    returns: (N, L, E)
    """
    # TODO: q, k, v = the three projections of x, like nn.Linear: x @ W.T + b  # 3 x (N, L, E)
    # TODO: split each into heads  # (N, L, E) -> (N, L, nh, hs) -> (N, nh, L, hs)
    # TODO: attention in every head  # (N, nh, L, hs)
    # TODO: join the heads  # (N, nh, L, hs) -> (N, L, nh, hs) -> (N, L, E)
    # TODO: the output projection  # (N, L, E)
    raise NotImplementedError("multi_head_self_attention is not written yet")
