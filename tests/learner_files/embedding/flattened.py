import numpy as np


def embedding(indices, weight):
    V = weight.shape[0]
    if np.any(indices < 0) or np.any(indices >= V):
        raise IndexError("index out of range")
    flat = indices.reshape(-1)  # (n,)
    return weight[flat]  # (n, D)


def embedding_grad(indices, grad_output, num_embeddings, padding_idx=None):
    D = grad_output.shape[-1]
    grad = np.zeros((num_embeddings, D))
    np.add.at(grad, indices.ravel(), grad_output.reshape(-1, D))
    if padding_idx is not None:
        grad[padding_idx] = 0
    return grad
