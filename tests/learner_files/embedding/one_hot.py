import numpy as np


def embedding(indices, weight):
    # a lookup is a product with one-hot rows: (..., V) @ (V, D) -> (..., D)
    V = weight.shape[0]
    if ((indices < 0) | (indices >= V)).any():
        raise IndexError(f"an index is outside [0, {V})")
    one_hot = (indices[..., None] == np.arange(V)).astype(weight.dtype)  # (..., V)
    return one_hot @ weight


def embedding_grad(indices, grad_output, num_embeddings, padding_idx=None):
    # the transposed product: one_hot^T @ grad_output sums the rows of every occurrence
    D = grad_output.shape[-1]
    one_hot = (indices.reshape(-1, 1) == np.arange(num_embeddings)).astype(grad_output.dtype)  # (n, V)
    if padding_idx is not None:
        one_hot[:, padding_idx] = 0.0  # positions that read the padding row pass nothing back
    return one_hot.T @ grad_output.reshape(-1, D)  # (V, D)
