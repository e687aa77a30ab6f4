import numpy as np


def ar_fit(series, p):
    T = len(series)
    X = np.column_stack([np.ones(T - p)] + [series[p - i : T - i] for i in range(1, p + 1)])
    coeffs, *_ = np.linalg.lstsq(X, series[p:], rcond=None)
    return coeffs


def ar_forecast(series, coeffs, steps):
    c, phi = coeffs[0], coeffs[1:]
    p = len(phi)
    recent = series[len(series) - p :][::-1]  # the last p values, newest first
    forecasts = []
    for _ in range(steps):
        forecasts.append(c + phi @ recent)
    return np.array(forecasts, dtype=float)
