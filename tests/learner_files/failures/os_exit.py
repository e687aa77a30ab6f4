import os

import numpy as np


def relu(x):
    os._exit(3)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
