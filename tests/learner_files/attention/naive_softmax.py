"""Learner mistake: the softmax takes exp of the raw scores, which overflows."""

import numpy as np


def softmax(s):
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.shape[-1]
    scores = np.matmul(q, np.swapaxes(k, -1, -2)) / np.sqrt(d)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    return np.matmul(softmax(scores), v)


def multi_head_self_attention(x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, num_heads, mask=None):
    N, L, E = x.shape
    hs = E // num_heads
    q, k, v = np.split(x @ in_proj_weight.T + in_proj_bias, 3, axis=-1)
    q = q.reshape(N, L, num_heads, hs).transpose(0, 2, 1, 3)
    k = k.reshape(N, L, num_heads, hs).transpose(0, 2, 1, 3)
    v = v.reshape(N, L, num_heads, hs).transpose(0, 2, 1, 3)
    y = scaled_dot_product_attention(q, k, v, mask)
    y = y.transpose(0, 2, 1, 3).reshape(N, L, E)
    return y @ out_proj_weight.T + out_proj_bias
