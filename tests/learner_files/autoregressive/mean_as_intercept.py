import numpy as np


def ar_fit(series, p):
    T = len(series)
    c = series.mean()  # the level of the series
    z = series - c
    X = np.column_stack([np.ones(T - p)] + [z[p - i : T - i] for i in range(1, p + 1)])[:, 1:]
    if p == 0:
        return np.array([c])
    phi, *_ = np.linalg.lstsq(X, z[p:], rcond=None)
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
