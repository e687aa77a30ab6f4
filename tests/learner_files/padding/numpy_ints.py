import numpy as np


def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    # numpy integers instead of Python ints: accepted, they are still whole numbers
    span = np.int64(dilation) * (kernel - 1) + 1
    if size + 2 * padding < span:
        raise ValueError("empty output")
    return (np.int64(size) + 2 * padding - span) // stride + 1


def same_padding(kernel, dilation=1):
    total = np.int64(dilation) * (kernel - 1)
    if total % 2:
        raise ValueError("no symmetric padding")
    return total // 2
