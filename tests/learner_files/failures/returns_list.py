def relu(x):
    return [max(v, 0.0) for v in x.ravel().tolist()]


def relu_grad(x):
    return [1.0 if v > 0 else 0.0 for v in x.ravel().tolist()]
