"""Reference solution for `rnn`."""

import numpy as np


def rnn_forward(x, h0, w_ih, w_hh, b_ih, b_hh):
    # x: (N, L, I)   h0: (N, H)   w_ih: (H, I)   w_hh: (H, H)   b_ih, b_hh: (H,)
    L = x.shape[1]  # steps
    inputs = x @ w_ih.T + b_ih  # (N, L, H): the input's part of every step, computed at once
    h = h0  # (N, H)
    states = []
    for t in range(L):  # the recurrence: step t needs h_{t-1}
        h = np.tanh(inputs[:, t] + h @ w_hh.T + b_hh)  # (N, H), a new array each step
        states.append(h)
    output = np.stack(states, axis=1)  # (N, L, H): time is axis 1 (batch first)
    return output, h  # h_n (N, H): the state after the last step, output[:, -1]
