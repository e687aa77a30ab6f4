"""From the hardening issue: raising its own soft RLIMIT_AS to the hard limit let this file pass with 3.2 GB."""
import resource

import numpy as np

_soft, hard = resource.getrlimit(resource.RLIMIT_AS)
try:
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
except (ValueError, OSError):
    pass
BALLAST = np.ones(400_000_000)  # 3.2 GB, touched


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(x.dtype)
