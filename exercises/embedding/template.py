"""dlquiz exercise `embedding`: an embedding lookup and its gradient, in numpy.

Grade this file with `dlquiz exercise embedding` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""


def embedding(indices, weight):
    """One row of weight per index, as torch.nn.functional.embedding(indices, weight) computes it.

    indices: int64 array of any shape (...): 0-d, (L,), (N, L), (N, L, K) …
    weight:  (V, D) float64, row i is the vector of index i
    returns: indices.shape + (D,) float64, a new array (leave weight unchanged)
    raises:  IndexError when an index is < 0 or >= V, as PyTorch does
    """
    # indices: (...)   weight: (V, D)
    # TODO: refuse any index outside [0, V) with IndexError (numpy would count -1 from the end)
    # TODO: out[..., :] = weight[indices[...]]  # (..., D)
    raise NotImplementedError("embedding is not written yet")


def embedding_grad(indices, grad_output, num_embeddings, padding_idx=None):
    """d loss / d weight for out = embedding(indices, weight), given grad_output = d loss / d out.

    indices:        int64 array (...), every index in [0, V)
    grad_output:    (..., D) float64, shaped like embedding's output
    num_embeddings: V, the number of rows of weight
    padding_idx:    None, or the row (negative counts from the end) that never receives a gradient
    returns:        (V, D) float64
    """
    # indices: (...)   grad_output: (..., D)
    # TODO: grad = zeros of shape (V, D)
    # TODO: add each grad_output[..., :] to the row of its index; an index used k times collects k rows
    # TODO: the padding_idx row, if any, gets no gradient
    raise NotImplementedError("embedding_grad is not written yet")
