"""Grading for `rnn`: a tanh RNN layer against nn.RNN(I, H, batch_first=True) holding the same weights.

Contract for the cases: x is (N, L, I) with L >= 1, h0 is (N, H), and I != H in every case (so a weight used
untransposed cannot slip through by shape alone). N = 1, L = 1, N == L (where time-major mix-ups keep the shape), a
zero h0, zero biases on one side only, and inputs large enough to saturate tanh are all asked.
"""

from __future__ import annotations

import numpy as np

from dlquiz.grading.spec import Case, Mistake

FUNCTION = "rnn_forward"


# -- cases ------------------------------------------------------------------------------------


def _weights(rng, I, H, scale=1.0):
    """w_ih (H, I), w_hh (H, H), b_ih (H,), b_hh (H,): a little larger than nn.RNN's init, so no term is negligible."""
    return (
        rng.normal(0.0, scale / np.sqrt(I), (H, I)),
        rng.normal(0.0, 0.8 / np.sqrt(H), (H, H)),
        rng.normal(0.0, 0.5, H),
        rng.normal(0.0, 0.5, H),
    )


def _case(name, x, h0, weights) -> Case:
    return Case(f"rnn: {name}", FUNCTION, (x, h0, *weights))


def _fixed_cases() -> list[Case]:
    rng = np.random.default_rng(46)
    n = rng.normal
    cases = [
        _case("N=2, L=5, I=3, H=4", n(size=(2, 5, 3)), n(0, 0.5, (2, 4)), _weights(rng, 3, 4)),
        _case("one sequence (N=1)", n(size=(1, 6, 2)), n(0, 0.5, (1, 3)), _weights(rng, 2, 3)),
        _case("one step (L=1)", n(size=(3, 1, 4)), n(0, 0.5, (3, 2)), _weights(rng, 4, 2)),
        _case("N == L: time-major mix-ups keep the shape", n(size=(4, 4, 3)), n(0, 0.5, (4, 5)), _weights(rng, 3, 5)),
        _case("h0 = 0", n(size=(2, 3, 2)), np.zeros((2, 3)), _weights(rng, 2, 3)),
        _case("one input feature (I=1)", n(size=(2, 7, 1)), n(0, 0.5, (2, 3)), _weights(rng, 1, 3)),
        _case("a long sequence (L=12)", n(size=(2, 12, 3)), n(0, 0.5, (2, 2)), _weights(rng, 3, 2)),
        _case("all-negative inputs", -np.abs(n(size=(3, 4, 2))) - 0.5, n(0, 0.5, (3, 3)), _weights(rng, 2, 3)),
        _case(
            "large inputs saturate tanh", 20.0 * n(size=(2, 4, 3)), n(0, 0.5, (2, 4)), _weights(rng, 3, 4, scale=3.0)
        ),
    ]
    w_ih, w_hh, b_ih, b_hh = _weights(rng, 3, 2)
    cases.append(_case("b_ih = 0, only b_hh", n(size=(2, 3, 3)), n(0, 0.5, (2, 2)), (w_ih, w_hh, 0 * b_ih, b_hh)))
    w_ih, w_hh, b_ih, b_hh = _weights(rng, 2, 4)
    cases.append(_case("b_hh = 0, only b_ih", n(size=(2, 3, 2)), n(0, 0.5, (2, 4)), (w_ih, w_hh, b_ih, 0 * b_hh)))
    return cases


def _random_cases() -> list[Case]:
    rng = np.random.default_rng(20240646)
    cases = []
    for _ in range(5):
        N, L, I, H = (int(size) for size in rng.integers(1, 6, 4))
        if I == H:
            H += 1
        x = rng.normal(0.0, rng.choice([0.5, 1.0, 3.0]), (N, L, I))
        cases.append(_case(f"random x {(N, L, I)}, H={H}", x, rng.normal(0.0, 0.5, (N, H)), _weights(rng, I, H)))
    return cases


def cases() -> list[Case]:
    return _fixed_cases() + _random_cases()


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> object:
    import torch

    x, h0, w_ih, w_hh, b_ih, b_hh = (torch.from_numpy(array) for array in case.args)
    hidden, inputs = w_hh.shape[0], w_ih.shape[1]
    rnn = torch.nn.RNN(inputs, hidden, batch_first=True, dtype=torch.float64)  # nonlinearity='tanh'
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(w_ih)
        rnn.weight_hh_l0.copy_(w_hh)
        rnn.bias_ih_l0.copy_(b_ih)
        rnn.bias_hh_l0.copy_(b_hh)
        output, h_n = rnn(x, h0.unsqueeze(0))  # h0 and h_n are (num_layers=1, N, H)
    return output.numpy().copy(), h_n[0].numpy().copy()


# -- mistakes learners make ----------------------------------------------------------------------


def _rnn(
    x,
    h0,
    w_ih,
    w_hh,
    b_ih,
    b_hh,
    *,
    activation=np.tanh,
    time_axis=1,
    stack_axis=1,
    h_n_from="state",
    transpose_w_hh=True,
    use_b_hh=True,
    start_from_h0=True,
    carry=True,
    record_before_step=False,
):
    """A numpy RNN; each keyword switches on one learner mistake."""
    h = h0 if start_from_h0 else np.zeros_like(h0)
    recurrent = w_hh.T if transpose_w_hh else w_hh
    bias = b_ih + b_hh if use_b_hh else b_ih
    states = []
    for t in range(x.shape[time_axis]):
        x_t = x[:, t] if time_axis == 1 else x[t]
        previous = h if carry else h0
        new = activation(x_t @ w_ih.T + previous @ recurrent + bias)
        states.append(h if record_before_step else new)
        h = new
    output = np.stack(states, axis=stack_axis)
    h_n = output[-1] if h_n_from == "last_sample" else h
    return output, h_n


def _mistake(**flaw):
    def implementation(*args):
        with np.errstate(all="ignore"):
            try:
                return _rnn(*args, **flaw)
            except ValueError:
                return None  # numpy refuses the shapes: a bare ValueError identifies nothing

    return implementation


def _relu(z):
    return np.maximum(z, 0.0)


def _identity(z):
    return z


MISTAKES: list[Mistake] = [
    Mistake(
        "time_major",
        FUNCTION,
        _mistake(time_axis=0, stack_axis=0),
        "The loop ran over axis 0, the batch, as if x were (L, N, I). With batch_first=True time is axis 1: "
        "step t reads x[:, t], of shape (N, I).",
        "循环走的是第 0 轴（batch），仿佛 x 是 (L, N, I)。batch_first=True 时第 1 轴才是时间："
        "第 t 步读 x[:, t]，形状 (N, I)。",
    ),
    Mistake(
        "output_time_major",
        FUNCTION,
        _mistake(stack_axis=0),
        "output came back as (L, N, H): np.stack(states) stacks on axis 0. With batch_first=True it is (N, L, H): "
        "use np.stack(states, axis=1).",
        "output 的形状成了 (L, N, H)：np.stack(states) 默认沿第 0 轴堆叠。batch_first=True 时应为 (N, L, H)："
        "请用 np.stack(states, axis=1)。",
    ),
    Mistake(
        "h_n_last_sample",
        FUNCTION,
        _mistake(h_n_from="last_sample"),
        "h_n was taken as output[-1], which is the last sequence of the batch, not the last time step. "
        "h_n is output[:, -1], of shape (N, H).",
        "h_n 取成了 output[-1]，那是 batch 里的最后一个序列，不是最后一个时间步。h_n 是 output[:, -1]，形状 (N, H)。",
    ),
    Mistake(
        "w_hh_not_transposed",
        FUNCTION,
        _mistake(transpose_w_hh=False),
        "The recurrent term was h @ w_hh. Like nn.Linear, PyTorch stores w_hh as (out, in): the term is "
        "h @ w_hh.T (the shapes fit either way, because w_hh is square).",
        "循环项写成了 h @ w_hh。和 nn.Linear 一样，PyTorch 按 (输出, 输入) 存 w_hh：应为 h @ w_hh.T"
        "（w_hh 是方阵，两种写法形状都对得上）。",
    ),
    Mistake(
        "missing_b_hh",
        FUNCTION,
        _mistake(use_b_hh=False),
        "b_hh was left out. PyTorch's RNN has two biases, b_ih and b_hh, and adds both at every step: "
        "tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh).",
        "漏掉了 b_hh。PyTorch 的 RNN 有两个偏置 b_ih 和 b_hh，每一步都要加上两者："
        "tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh)。",
    ),
    Mistake(
        "ignores_h0",
        FUNCTION,
        _mistake(start_from_h0=False),
        "The hidden state started from zeros instead of h0. The first step uses the h0 it is given: "
        "h_1 = tanh(x_1 @ w_ih.T + b_ih + h0 @ w_hh.T + b_hh).",
        "隐藏状态从 0 开始，而不是从传入的 h0 开始。第一步要用 h0："
        "h_1 = tanh(x_1 @ w_ih.T + b_ih + h0 @ w_hh.T + b_hh)。",
    ),
    Mistake(
        "h_not_carried",
        FUNCTION,
        _mistake(carry=False),
        "Every step used h0 as the previous state, so the steps never saw each other. Carry the state: the new h "
        "of step t is the previous state of step t + 1 (assign it back to the variable the next step reads).",
        "每一步都把 h0 当作上一步的状态，于是各步之间没有联系。要把状态传下去：第 t 步算出的新 h "
        "就是第 t + 1 步的上一状态（把它赋回下一步读取的那个变量）。",
    ),
    Mistake(
        "output_lags_one_step",
        FUNCTION,
        _mistake(record_before_step=True),
        "output[:, t] holds the state before step t (output[:, 0] is h0). It should hold h_t, the state after "
        "step t: append h after computing it.",
        "output[:, t] 存的是第 t 步之前的状态（output[:, 0] 成了 h0）。应当存第 t 步之后的 h_t：先计算 h 再保存。",
    ),
    Mistake(
        "relu_not_tanh",
        FUNCTION,
        _mistake(activation=_relu),
        "The activation was ReLU. nn.RNN uses tanh by default (nonlinearity='tanh'), which keeps h in (-1, 1).",
        "激活函数用了 ReLU。nn.RNN 默认使用 tanh（nonlinearity='tanh'），它把 h 限制在 (-1, 1) 之间。",
    ),
    Mistake(
        "no_activation",
        FUNCTION,
        _mistake(activation=_identity),
        "No activation was applied, so the RNN is linear and h can grow without bound. Wrap each step in np.tanh.",
        "没有使用激活函数，RNN 变成了线性的，h 可能无限增长。每一步都要套上 np.tanh。",
    ),
]
