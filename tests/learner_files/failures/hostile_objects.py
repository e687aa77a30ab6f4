import numpy as np


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no str for you")


def relu(x):
    raise Unprintable()


class Gradient:
    """A callable whose signature cannot even be inspected."""

    @property
    def __signature__(self):
        raise RuntimeError("bad signature")

    def __call__(self, x):
        return (x > 0).astype(x.dtype)


relu_grad = Gradient()
