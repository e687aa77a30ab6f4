def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    span = dilation * (kernel - 1) + 1
    if size + 2 * padding < span:
        raise ValueError("empty output")
    return (size + 2 * padding - span) // stride + 1


def same_padding(kernel, dilation=1):
    if kernel % 2 == 0:
        raise ValueError("even kernels have no same padding")
    return dilation * (kernel - 1) // 2
