"""dlquiz exercise `padding`: the output size of a convolution, and "same" padding.

Grade this file with `dlquiz exercise padding` (add `--hint` when stuck).
Importing torch is refused: the point is to work it out yourself.
"""


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Length of a convolution's output along one spatial dimension.

    size:     input length (e.g. H or W of an (N, C, H, W) input)
    kernel:   kernel length k
    stride:   step s between windows
    padding:  zeros added on EACH side
    dilation: spacing d between kernel taps (the kernel spans d*(k-1)+1 inputs)
    returns:  the output length, a Python int
    raises:   ValueError when the padded input is shorter than the dilated kernel (empty output)
    """
    # TODO: the padded length, the span of the dilated kernel, then how many stride steps fit.
    raise NotImplementedError("conv_output_size is not written yet")


def same_padding(kernel: int, dilation: int = 1) -> int:
    """The symmetric padding p that keeps the length unchanged at stride 1.

    returns: p (a Python int) with conv_output_size(n, kernel, 1, p, dilation) == n for every n
    raises:  ValueError when no whole symmetric p exists
    """
    # TODO: solve conv_output_size(n, kernel, 1, p, dilation) == n for p.
    raise NotImplementedError("same_padding is not written yet")
