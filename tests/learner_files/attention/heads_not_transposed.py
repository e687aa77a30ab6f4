"""Learner mistake: heads reshaped to (N, L, nh, hs) and never transposed."""

import numpy as np


def softmax(scores, axis=-1):
    # Subtracting the row maximum changes nothing mathematically but keeps exp() from overflowing.
    shifted = scores - scores.max(axis=axis, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=axis, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    # q: (..., L, E)  k: (..., S, E)  v: (..., S, Ev)  mask: broadcastable to (..., L, S), True = may attend
    E = q.shape[-1]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(E)  # (..., L, S)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)  # (..., L, S) masked positions get weight exp(-inf) = 0
    weights = softmax(scores, axis=-1)  # (..., L, S) each query's weights over the keys sum to 1
    return weights @ v  # (..., L, Ev) a weighted sum of the values


def multi_head_self_attention(x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, num_heads, mask=None):
    # x: (N, L, E)  in_proj_weight: (3E, E)  in_proj_bias: (3E,)  out_proj_weight: (E, E)  out_proj_bias: (E,)
    # mask: (L, L) or None, True = may attend
    N, L, E = x.shape
    hs = E // num_heads  # head size
    qkv = x @ in_proj_weight.T + in_proj_bias  # (N, L, 3E) like nn.Linear: x W^T + b
    q, k, v = np.split(qkv, 3, axis=-1)  # 3 x (N, L, E)
    q = q.reshape(N, L, num_heads, hs)  # no transpose
    k = k.reshape(N, L, num_heads, hs)  # no transpose
    v = v.reshape(N, L, num_heads, hs)  # no transpose
    y = scaled_dot_product_attention(q, k, v, mask)  # (N, nh, L, hs) the (L, L) mask broadcasts
    y = y.reshape(N, L, E)  # (N, L, E) heads side by side again
    return y @ out_proj_weight.T + out_proj_bias  # (N, L, E)
