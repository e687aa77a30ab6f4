"""Reference solution for `autoregressive`."""

import numpy as np


def ar_fit(series, p):
    # series: (T,)   returns (p + 1,) = [c, phi_1, ..., phi_p]
    T = series.shape[0]
    lags = [series[p - i : T - i] for i in range(1, p + 1)]  # p arrays (T - p,): x_{t-i} for t = p .. T-1
    X = np.column_stack([np.ones(T - p), *lags])  # (T - p, p + 1): a column of ones for c, then lag 1 .. p
    y = series[p:]  # (T - p,): the targets x_t
    coeffs, *_ = np.linalg.lstsq(X, y, rcond=None)  # (p + 1,) minimises ||X @ coeffs - y||^2
    return coeffs


def ar_forecast(series, coeffs, steps):
    # series: (T,)   coeffs: (p + 1,) = [c, phi_1, ..., phi_p]   returns (steps,)
    c, phi = coeffs[0], coeffs[1:]  # phi: (p,)
    p = phi.shape[0]
    history = list(series[series.shape[0] - p :])  # the last p values, oldest first (none when p = 0)
    forecasts = np.empty(steps)  # (steps,)
    for k in range(steps):
        recent = history[::-1][:p]  # x_{t-1}, x_{t-2}, ..., x_{t-p}: newest first, to line up with phi
        forecasts[k] = c + np.dot(phi, recent)  # each step reads the forecasts made before it
        history.append(forecasts[k])
    return forecasts
