"""Reference solution for `embedding`."""

import numpy as np


def embedding(indices, weight):
    # indices: (...) int64   weight: (V, D)
    V = weight.shape[0]
    outside = (indices < 0) | (indices >= V)  # (...) bool
    if outside.any():
        # numpy would read a negative index from the end; PyTorch refuses it like any other bad index
        bad = int(np.asarray(indices)[outside].flat[0])
        raise IndexError(f"index {bad} is out of range for an embedding of {V} rows")
    return weight[indices]  # (..., D): integer-array indexing copies, and keeps the shape of indices


def embedding_grad(indices, grad_output, num_embeddings, padding_idx=None):
    # indices: (...) int64   grad_output: (..., D)
    D = grad_output.shape[-1]
    grad = np.zeros((num_embeddings, D), dtype=grad_output.dtype)  # (V, D)
    # np.add.at is unbuffered: a row whose index occurs k times collects all k gradients
    # (grad[indices] += ... would write each repeated row once).
    np.add.at(grad, indices.reshape(-1), grad_output.reshape(-1, D))  # (n,), (n, D) -> (V, D)
    if padding_idx is not None:  # not `if padding_idx:` — 0 is the usual padding index
        grad[padding_idx] = 0.0  # (D,) the padding row is never trained
    return grad
