import numpy as np


def ar_fit(series, p):
    # least squares through the normal equations X^T X b = X^T y
    T = len(series)
    X = np.ones((T - p, p + 1))
    for i in range(1, p + 1):
        X[:, i] = series[p - i : T - i]
    y = series[p:]
    return np.linalg.solve(X.T @ X, X.T @ y)


def ar_forecast(series, coeffs, steps):
    # one buffer holding the series followed by the forecasts
    p = len(coeffs) - 1
    T = len(series)
    buffer = np.concatenate([series, np.zeros(steps)])
    for t in range(T, T + steps):
        buffer[t] = coeffs[0] + sum(coeffs[i] * buffer[t - i] for i in range(1, p + 1))
    return buffer[T:].copy()
