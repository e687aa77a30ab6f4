import numpy as np


class Tensor:
    def __init__(self, data):
        self.data = data

    def __repr__(self):
        return f"Tensor({self.data!r})"


def relu(x):
    return Tensor(np.maximum(x, 0.0))


def relu_grad(x):
    return (x > 0).astype(x.dtype)
