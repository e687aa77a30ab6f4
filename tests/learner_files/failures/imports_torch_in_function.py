import numpy as np


def relu(x):
    import torch.nn.functional as F

    return F.relu(__import__("torch").from_numpy(x)).numpy()


def relu_grad(x):
    return (x > 0).astype(x.dtype)
