import numpy as np


def ar_fit(series, p):
    T = len(series)
    X = np.column_stack([np.ones(T - p)] + [series[p - i : T - i] for i in range(1, p + 1)])
    coeffs, *_ = np.linalg.lstsq(X, series[p:], rcond=None)
    return coeffs


def ar_forecast(series, coeffs, steps):
    c, phi = coeffs[0], coeffs[1:]
    p = len(phi)
    history = list(series)
    for _ in range(steps):
        history.append(c + np.dot(phi, history[len(history) - p :][::-1]))
    return np.array(history)  # the series, continued
