import numpy as np


def rnn_forward(x, h0, w_ih, w_hh, b_ih, b_hh):
    h = h0
    outputs = []
    for x_t in x:  # one time step at a time
        h = np.tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        outputs.append(h)
    return np.array(outputs), h
