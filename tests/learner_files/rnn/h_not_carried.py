import numpy as np


def rnn_forward(x, h0, w_ih, w_hh, b_ih, b_hh):
    outputs = []
    for t in range(x.shape[1]):
        h_t = np.tanh(x[:, t] @ w_ih.T + b_ih + h0 @ w_hh.T + b_hh)
        outputs.append(h_t)
    return np.stack(outputs, axis=1), outputs[-1]
