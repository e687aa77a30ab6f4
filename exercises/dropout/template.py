"""dlquiz exercise `dropout`: (inverted) dropout and its gradient, in numpy.

Grade this file with `dlquiz exercise dropout` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""

import numpy as np


def dropout(x: np.ndarray, p: float, training: bool, keep: np.ndarray) -> np.ndarray:
    """Dropout as torch.nn.functional.dropout(x, p, training) computes it, for the mask `keep` it drew.

    x:        float64 array of any shape, e.g. (N, C) or (N, C, H, W)
    p:        the probability of dropping a unit, 0 <= p <= 1
    training: True -> drop units and rescale the kept ones; False -> dropout does nothing
    keep:     bool array shaped like x, True = the unit is kept
    returns:  a new float64 array shaped like x; x and keep are left unchanged
    """
    # TODO (eval): the identity — but a new array  # (...)
    # TODO (training): zero the dropped units and rescale the kept ones so the expected output is x  # (...)
    # TODO: p == 1 drops everything
    raise NotImplementedError("dropout is not written yet")


def dropout_grad(grad_out: np.ndarray, keep: np.ndarray, p: float, training: bool) -> np.ndarray:
    """d loss / d x for dropout, given grad_out = d loss / d out, as autograd computes it.

    grad_out: float64 array shaped like dropout's output
    keep, p, training: as in dropout
    returns:  a new float64 array shaped like grad_out
    """
    # TODO: d out / d x is a constant per unit; multiply it by grad_out  # (...)
    raise NotImplementedError("dropout_grad is not written yet")
