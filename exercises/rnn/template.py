"""dlquiz exercise `rnn`: an Elman RNN layer's forward pass (tanh), in numpy.

Grade this file with `dlquiz exercise rnn` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""


def rnn_forward(x, h0, w_ih, w_hh, b_ih, b_hh):
    """One tanh RNN layer over a batch of sequences, as nn.RNN(I, H, batch_first=True) computes it.

    x:    (N, L, I) float64, N sequences of L steps with I features each (batch first)
    h0:   (N, H) the hidden state before the first step
    w_ih: (H, I)   w_hh: (H, H)   b_ih: (H,)   b_hh: (H,)
    returns: (output, h_n)
        output: (N, L, H), output[:, t] is the hidden state h_t after step t
        h_n:    (N, H), the hidden state after the last step
    h_t = tanh(x_t @ w_ih.T + b_ih + h_{t-1} @ w_hh.T + b_hh)
    """
    # x: (N, L, I)   h: (N, H)
    # TODO: for each time step t: x_t = x[:, t]  # (N, I)
    # TODO:     h = tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh)  # (N, H)
    # TODO: output = every h_t, stacked on the time axis  # (N, L, H)
    # return output, h_n  # (N, L, H), (N, H)
    raise NotImplementedError("rnn_forward is not written yet")
