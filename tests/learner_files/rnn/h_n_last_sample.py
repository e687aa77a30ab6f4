import numpy as np


def rnn_forward(x, h0, w_ih, w_hh, b_ih, b_hh):
    N, L, _ = x.shape
    H = h0.shape[1]
    output = np.zeros((N, L, H))
    h = h0
    for t in range(L):
        h = np.tanh(x[:, t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        output[:, t] = h
    return output, output[-1].copy()  # the last output is the final hidden state
