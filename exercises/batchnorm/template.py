"""dlquiz exercise `batchnorm`: batch normalisation's forward pass, in numpy.

Grade this file with `dlquiz exercise batchnorm` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""


def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    """Batch normalisation over the channel axis (axis 1), as torch.nn.functional.batch_norm computes it.

    x: (N, C), (N, C, L) or (N, C, H, W) float64
    gamma, beta: (C,) per-channel scale and shift
    running_mean, running_var: (C,) running statistics — return new arrays, never change these in place
    training: True  -> normalise with this batch's statistics and update the running ones
              False -> normalise with the running statistics and return them unchanged
    returns: (out, new_running_mean, new_running_var), shaped like x, (C,) and (C,)
    """
    # x: (N, C, ...)  the statistics are per channel: one mean and one variance for each of the C channels
    # gamma, beta, running_mean, running_var: (C,)

    # TODO (training): the batch mean and biased variance of each channel, both (C,)
    # TODO (training): new running statistics: (1 - momentum) * running + momentum * batch statistic,
    #                  where running_var takes the unbiased variance var * n / (n - 1), n = values per channel
    # TODO (eval): normalise with running_mean and running_var instead, and return them unchanged
    # TODO: out = gamma * (x - mean) / sqrt(var + eps) + beta  # same shape as x, per channel
    # return out, new_running_mean, new_running_var  # (N, C, ...), (C,), (C,)
    raise NotImplementedError("batchnorm_forward is not written yet")
