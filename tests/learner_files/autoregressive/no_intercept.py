import numpy as np


def ar_fit(series, p):
    T = len(series)
    X = np.column_stack([series[p - i : T - i] for i in range(1, p + 1)])  # the lags
    coeffs, *_ = np.linalg.lstsq(X, series[p:], rcond=None)
    return coeffs


def ar_forecast(series, coeffs, steps):
    c, phi = coeffs[0], coeffs[1:]
    p = len(phi)
    history = list(series)
    out = []
    for _ in range(steps):
        recent = np.array(history[len(history) - p :])[::-1]  # newest first
        out.append(c + phi @ recent)
        history.append(out[-1])
    return np.array(out, dtype=float)
