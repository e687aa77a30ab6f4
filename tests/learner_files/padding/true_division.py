def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    out = (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    if out < 1:
        raise ValueError("empty output")
    return out


def same_padding(kernel, dilation=1):
    total = dilation * (kernel - 1)
    if total % 2:
        raise ValueError("no symmetric padding")
    return total // 2
