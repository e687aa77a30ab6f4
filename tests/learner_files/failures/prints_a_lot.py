import numpy as np


def relu(x):
    for i in range(20000):
        print(f"debug line {i}: shape {x.shape} [not markup]")
    return np.maximum(x, 0.0)


def relu_grad(x):
    print("梯度 relu_grad called", file=__import__("sys").stderr)
    return (x > 0).astype(x.dtype)
