import numpy as np


def rnn_forward(x, h0, w_ih, w_hh, b_ih, b_hh):
    # one matrix for both inputs: [x_t, h] @ [w_ih, w_hh].T
    w = np.concatenate([w_ih, w_hh], axis=1)  # (H, I + H)
    b = b_ih + b_hh  # (H,)
    N, L, _ = x.shape
    output = np.empty((N, L, h0.shape[1]))
    h = h0
    for t in range(L):
        h = np.tanh(np.concatenate([x[:, t], h], axis=1) @ w.T + b)  # (N, H)
        output[:, t] = h
    return output, output[:, -1].copy()
