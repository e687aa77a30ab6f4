"""dlquiz exercise `autoregressive`: fit an AR(p) model by least squares and forecast with it, in numpy.

Grade this file with `dlquiz exercise autoregressive` (add `--hint` when stuck).
Importing torch is refused: the point is to write it yourself.
"""


def ar_fit(series, p):
    """The AR(p) coefficients [c, phi_1, ..., phi_p] that minimise the squared one-step errors.

    series:  (T,) float64, x_0 ... x_{T-1}
    p:       int >= 0, the number of lags; T - p >= p + 1
    returns: (p + 1,) float64, [c, phi_1, ..., phi_p] minimising
             sum over t = p .. T-1 of (x_t - c - phi_1 x_{t-1} - ... - phi_p x_{t-p})^2
    """
    # series: (T,)
    # TODO: the targets y = x_t for t = p .. T-1  # (T - p,)
    # TODO: the regressors of row t: [1, x_{t-1}, ..., x_{t-p}]  # X: (T - p, p + 1)
    # TODO: solve the least-squares problem X @ coeffs ≈ y  # (p + 1,)
    raise NotImplementedError("ar_fit is not written yet")


def ar_forecast(series, coeffs, steps):
    """The next `steps` values after the series' end, each step reading the forecasts before it.

    series:  (T,) float64 with T >= p
    coeffs:  (p + 1,) float64, [c, phi_1, ..., phi_p] as ar_fit returns them
    steps:   int >= 0
    returns: (steps,) float64, x_T, x_{T+1}, ... with x_t = c + phi_1 x_{t-1} + ... + phi_p x_{t-p}
    """
    # series: (T,)   coeffs: (p + 1,)
    # TODO: for each step: the newest p values (forecasts included), newest first  # (p,)
    # TODO:     the next value c + phi . recent; append it to the history
    # return the forecasts  # (steps,)
    raise NotImplementedError("ar_forecast is not written yet")
