"""Reference solution for `padding`."""


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    padded = size + 2 * padding  # p zeros on each side
    span = dilation * (kernel - 1) + 1  # inputs covered by one dilated kernel
    if padded < span:
        raise ValueError(f"the padded input ({padded}) is shorter than the dilated kernel ({span})")
    # The first window starts at 0; every further stride step that still fits adds one output.
    return (padded - span) // stride + 1


def same_padding(kernel: int, dilation: int = 1) -> int:
    # Output length n + 2p - d(k-1) equals n exactly when 2p = d(k-1).
    total = dilation * (kernel - 1)
    if total % 2:
        raise ValueError(f"dilation*(kernel-1) = {total} is odd: no symmetric padding keeps the size")
    return total // 2
