import numpy as np


def ar_fit(series, p):
    # standardise first for a better-conditioned fit, then undo the scaling
    mean, std = series.mean(), series.std()
    series -= mean
    series /= std
    T = len(series)
    X = np.column_stack([np.ones(T - p)] + [series[p - i : T - i] for i in range(1, p + 1)])
    coeffs, *_ = np.linalg.lstsq(X, series[p:], rcond=None)
    phi = coeffs[1:]
    c = std * coeffs[0] + mean * (1 - phi.sum())
    return np.concatenate([[c], phi])


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
