"""dlquiz exercise `bn_backward`: the backward pass of batch normalisation (training mode), in numpy.

Grade this file with `dlquiz exercise bn_backward` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""


def batchnorm_backward(grad_out, x, gamma, eps=1e-5):
    """Gradients of training-mode BatchNorm, out = gamma * (x - mean) / sqrt(var + eps) + beta.

    mean and var are each channel's batch mean and biased variance (divide by n, the values per channel), and they
    depend on x too.

    grad_out: dL/d(out), shaped like x
    x:        (N, C), (N, C, L) or (N, C, H, W) float64 — axis 1 is the channel
    gamma:    (C,) the per-channel scale
    returns:  (grad_x, grad_gamma, grad_beta): dL/dx shaped like x, dL/dgamma (C,), dL/dbeta (C,);
              no input is changed
    """
    # grad_out, x: (N, C, ...)   gamma: (C,)
    # TODO: recompute the forward pass: mean, biased var, x_hat per channel  # x_hat shaped like x
    # TODO: grad_beta and grad_gamma: sums over every axis except the channel axis  # (C,), (C,)
    # TODO: grad_x through all three paths x -> x_hat: directly, through mean, through var  # shaped like x
    # return grad_x, grad_gamma, grad_beta
    raise NotImplementedError("batchnorm_backward is not written yet")
