"""Grading for `autoregressive`: fitting an AR(p) model by least squares, and forecasting with it recursively.

`ar_fit` is compared with torch.linalg.lstsq on the lag matrix, which the reference builds with torch ops:
PyTorch solves the problem, nothing here types the solution. Every fitting case has T - p >= p + 1 rows, and
its lag matrix is well conditioned (condition number below 1e4), so the solution is unique and stable.

Tolerance of `ar_fit` (rtol = 1e-6, atol = 1e-9): least-squares solvers reach the minimum along different paths
(QR, SVD, the normal equations X^T X c = X^T y), and their rounding errors grow with the condition number κ of the
lag matrix — about κ·1e-16 relative for QR or SVD, κ²·1e-16 for the normal equations. With κ < 1e4 every sound
solver lands within 1e-8 of PyTorch, well inside the tolerance, while every mistake below (a lag order reversed,
a row dropped or added, the intercept missing) moves some coefficient by more than 1e-3.
`ar_forecast` is plain arithmetic, compared with the same recursion run in torch at the default tolerance.
"""

from __future__ import annotations

import numpy as np

from dlquiz.grading.spec import Case, Mistake

FIT = "ar_fit"
FORECAST = "ar_forecast"
FIT_RTOL, FIT_ATOL = 1e-6, 1e-9


# -- cases ------------------------------------------------------------------------------------


def simulate(rng, c, phi, T, sigma=1.0, burn_in=50):
    """An AR(p) series x_t = c + sum_i phi_i x_{t-i} + noise, started at its mean and run in for burn_in steps."""
    p = len(phi)
    history = [c / (1.0 - sum(phi))] * p
    for _ in range(T + burn_in):
        recent = history[::-1][:p]  # x_{t-1}, ..., x_{t-p}
        history.append(c + float(np.dot(phi, recent)) + rng.normal(0.0, sigma))
    return np.array(history[-T:])


def _fit(name, series, p) -> Case:
    return Case(f"ar_fit: {name}", FIT, (series, p), rtol=FIT_RTOL, atol=FIT_ATOL)


def _forecast(name, series, coeffs, steps) -> Case:
    return Case(f"ar_forecast: {name}", FORECAST, (series, np.asarray(coeffs, dtype=np.float64), steps))


def _fit_cases() -> list[Case]:
    rng = np.random.default_rng(70)
    t = np.arange(25.0)
    return [
        _fit("AR(1), c=2, phi=0.6, T=30", simulate(rng, 2.0, [0.6], 30), 1),
        _fit("AR(2) with phi_1 != phi_2, T=40", simulate(rng, 1.0, [0.5, -0.3], 40), 2),
        _fit("AR(3), T=50", simulate(rng, -1.0, [0.4, 0.25, -0.3], 50), 3),
        _fit("p=0: only the intercept", simulate(rng, 3.0, [], 12), 0),
        _fit("a sine wave is exactly AR(2)", 5.0 + np.sin(0.7 * t), 2),
        _fit("a straight line is exactly AR(1)", 3.0 + 0.5 * np.arange(10.0), 1),
        _fit("fewest rows: T = 2p + 1", rng.normal(0.0, 1.0, 5), 2),
        _fit("series far from zero (mean near 50)", simulate(rng, 20.0, [0.6], 30), 1),
        _fit("negative phi (oscillating)", simulate(rng, 1.0, [-0.7], 25), 1),
        _fit("AR(2) data fitted with p=3", simulate(rng, 0.5, [0.6, -0.4], 45), 3),
    ]


def _forecast_cases() -> list[Case]:
    rng = np.random.default_rng(7001)
    omega = 0.7
    sine = 5.0 + np.sin(omega * np.arange(12.0))
    sine_coeffs = [5.0 * (2.0 - 2.0 * np.cos(omega)), 2.0 * np.cos(omega), -1.0]  # exact for 5 + sin(omega t)
    return [
        _forecast("AR(1), 5 steps", rng.normal(2.0, 1.0, 8), [1.0, 0.5], 5),
        _forecast("AR(2), steps > p", rng.normal(0.0, 1.0, 10), [0.5, 0.6, -0.3], 6),
        _forecast("AR(3), one step", rng.normal(1.0, 2.0, 7), [-0.2, 0.4, 0.25, -0.3], 1),
        _forecast("no steps: an empty forecast", rng.normal(0.0, 1.0, 6), [0.3, 0.9], 0),
        _forecast("p=0: c at every step", rng.normal(0.0, 1.0, 5), [2.5], 4),
        _forecast("the series is exactly p long", rng.normal(0.0, 1.0, 3), [0.1, 0.5, 0.3, -0.2], 5),
        _forecast("explosive phi=1.1, 20 steps", rng.normal(1.0, 1.0, 4), [0.2, 1.1], 20),
        _forecast("oscillating phi=-0.8", rng.normal(3.0, 1.0, 6), [1.0, -0.8], 7),
        _forecast("a sine wave continues", sine, sine_coeffs, 8),
        _forecast("values near 1e6", 1e6 + rng.normal(0.0, 10.0, 9), [3e5, 0.5, 0.2], 4),
    ]


def _random_cases() -> list[Case]:
    rng = np.random.default_rng(20240670)
    cases = []
    for _ in range(4):
        p = int(rng.integers(1, 5))
        roots = rng.uniform(0.2, 0.8, p) * rng.choice([-1.0, 1.0], p)  # inside the unit circle: stationary
        phi = -np.poly(roots)[1:]  # z^p - phi_1 z^(p-1) - ... - phi_p = prod(z - root)
        c = float(rng.normal(0.0, 3.0))
        T = int(rng.integers(3 * p + 10, 60))
        series = simulate(rng, c, list(phi), T)
        cases.append(_fit(f"random AR({p}) series, T={T}", series, p))
        steps = int(rng.integers(1, 12))
        fitted = [c, *phi]
        cases.append(_forecast(f"random AR({p}), {steps} steps", series[: int(rng.integers(p, T))], fitted, steps))
    return cases


def cases() -> list[Case]:
    return _fit_cases() + _forecast_cases() + _random_cases()


# -- what PyTorch computes ----------------------------------------------------------------------


def reference(case: Case) -> object:
    import torch

    if case.function == FIT:
        series, p = case.args
        x = torch.from_numpy(series)
        T = x.shape[0]
        lags = [x[p - i : T - i] for i in range(1, p + 1)]  # x_{t-i} for t = p .. T-1
        X = torch.stack([torch.ones(T - p, dtype=torch.float64), *lags], dim=1)  # (T - p, p + 1)
        return torch.linalg.lstsq(X, x[p:].unsqueeze(1)).solution[:, 0].numpy().copy()

    series, coeffs, steps = case.args
    c, phi = torch.from_numpy(coeffs)[0], torch.from_numpy(coeffs)[1:]
    p = phi.shape[0]
    history = torch.from_numpy(series)
    for _ in range(steps):
        recent = history[history.shape[0] - p :].flip(0)  # x_{t-1}, ..., x_{t-p}: forecasts included
        history = torch.cat([history, (c + torch.dot(phi, recent)).unsqueeze(0)])
    return history[series.shape[0] :].numpy().copy()  # (steps,)


# -- mistakes learners make ----------------------------------------------------------------------


def _solve(X, y):
    return np.linalg.lstsq(X, y, rcond=None)[0]


def _lag(series, i, rows):
    """x_{t-i} for t in rows (a range), as a column."""
    return series[rows.start - i : rows.stop - i]


def _fit_rows(series, p, rows, *, intercept="first"):
    """Least squares on the given target rows, with lags 1..p; `intercept` is "first", "last" or "none"."""
    lags = [_lag(series, i, rows) for i in range(1, p + 1)]
    ones = [np.ones(len(rows))]
    columns = {"first": ones + lags, "last": lags + ones, "none": lags}[intercept]
    if not columns:
        return None
    return _solve(np.column_stack(columns), series[rows.start : rows.stop])


def _no_intercept(series, p):
    return _fit_rows(series, p, range(p, len(series)), intercept="none")  # (p,): no c at all


def _intercept_last_fit(series, p):
    return _fit_rows(series, p, range(p, len(series)), intercept="last")  # [phi_1, ..., phi_p, c]


def _first_row_dropped(series, p):
    return _fit_rows(series, p, range(p + 1, len(series)))  # for t in range(p + 1, T)


def _lags_oldest_first_fit(series, p):
    if p < 2:
        return None  # one lag has no order
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], p)  # rows [x_{t-p}, ..., x_{t-1}]
    return _solve(np.column_stack([np.ones(len(windows)), windows]), series[p:])


def _includes_current(series, p):
    if p == 0:
        return None
    T = len(series)
    lags = [series[p - i + 1 : T - i + 1] for i in range(1, p + 1)]  # x_{t-i+1}: lag 1 is x_t itself
    return _solve(np.column_stack([np.ones(T - p), *lags]), series[p:])


def _roll_wraps(series, p):
    if p == 0:
        return None
    lags = [np.roll(series, i) for i in range(1, p + 1)]  # the first i values come from the end of the series
    return _solve(np.column_stack([np.ones(len(series)), *lags]), series)


def _zero_padded(series, p):
    if p == 0:
        return None
    T = len(series)
    lags = [np.concatenate([np.zeros(i), series[: T - i]]) for i in range(1, p + 1)]  # x_{-1} = ... = 0
    return _solve(np.column_stack([np.ones(T), *lags]), series)


def _mean_as_intercept(series, p):
    if p == 0:
        return None  # with no lags the intercept is the mean: nothing to tell apart
    mean = series.mean()
    phi = _fit_rows(series - mean, p, range(p, len(series)), intercept="none")
    return np.concatenate([[mean], phi])


def _forecast_with(*, order="newest_first", intercept="first", refresh=True, skip_latest=False, whole_history=False):
    """A numpy recursive forecast; each keyword switches on one learner mistake."""

    def forecast(series, coeffs, steps):
        if intercept == "first":
            c, phi = coeffs[0], coeffs[1:]
        elif intercept == "last":
            c, phi = coeffs[-1], coeffs[:-1]
        else:
            c, phi = 0.0, coeffs[1:]
        p = len(phi)
        history = list(series)
        window = history[len(history) - p :]
        out = []
        for _ in range(steps):
            if refresh:
                end = len(history) - 1 if skip_latest else len(history)
                window = history[end - p : end] if end - p >= 0 else None
                if window is None:
                    return None
            recent = window[::-1] if order == "newest_first" else window
            out.append(c + float(np.dot(phi, recent)))
            history.append(out[-1])
        if whole_history:
            return np.array(history)
        return np.array(out)

    return forecast


def _minus_zero_slice(series, coeffs, steps):
    c, phi = coeffs[0], coeffs[1:]
    if len(phi) or not steps:
        return None  # the slip only shows when p = 0
    return np.full(steps, c) + np.dot(phi, series[-0:])  # history[-0:] is the whole history: (0,) . (T,) fails


MISTAKES: list[Mistake] = [
    Mistake(
        "no_intercept",
        FIT,
        _no_intercept,
        "Only the p lag coefficients came back: the fit has no intercept c. Add a column of ones to the lag matrix "
        "and return [c, phi_1, ..., phi_p], p + 1 values.",
        "只返回了 p 个滞后系数：拟合里没有截距 c。请在滞后矩阵里加一列 1，并返回 [c, phi_1, ..., phi_p] 共 p + 1 个值。",
    ),
    Mistake(
        "intercept_last",
        FIT,
        _intercept_last_fit,
        "The intercept came back last, [phi_1, ..., phi_p, c]. The order is [c, phi_1, ..., phi_p]: put the column "
        "of ones first.",
        "截距被放在了最后：[phi_1, ..., phi_p, c]。顺序应为 [c, phi_1, ..., phi_p]：把全 1 列放在最前面。",
    ),
    Mistake(
        "lag_order_reversed",
        FIT,
        _lags_oldest_first_fit,
        "The lag coefficients came back in reverse, [c, phi_p, ..., phi_1]: a window series[t-p:t] lists "
        "x_{t-p} first. phi_1 belongs to x_{t-1}, the newest value: reverse each window (series[t-p:t][::-1]).",
        "滞后系数的顺序反了，成了 [c, phi_p, ..., phi_1]：窗口 series[t-p:t] 是从 x_{t-p} 开始排的。"
        "phi_1 对应最新的 x_{t-1}：请把每个窗口反过来（series[t-p:t][::-1]）。",
    ),
    Mistake(
        "includes_current",
        FIT,
        _includes_current,
        "The regressors included x_t itself, so the fit is the trivial x_t = x_t (phi_1 = 1, the rest 0). "
        "Lag i is x_{t-i}, for i = 1 .. p: the newest regressor is x_{t-1}.",
        "自变量里包含了 x_t 本身，于是拟合成了平凡的 x_t = x_t（phi_1 = 1，其余为 0）。"
        "第 i 个滞后是 x_{t-i}，i = 1 .. p：最新的自变量是 x_{t-1}。",
    ),
    Mistake(
        "roll_wraps",
        FIT,
        _roll_wraps,
        "The lags were built with np.roll, which wraps the last values of the series round to its start, so the "
        "first p rows pair x_t with values from the end. Fit only the rows t = p .. T-1.",
        "滞后列是用 np.roll 构造的，它会把序列末尾的值绕回开头，于是前 p 行把 x_t 和末尾的值配在了一起。"
        "只拟合 t = p .. T-1 这些行。",
    ),
    Mistake(
        "zero_padded",
        FIT,
        _zero_padded,
        "Values before the start of the series were taken as 0, adding p rows that do not exist. The sum runs "
        "over t = p .. T-1 only, where every lag is an observed value.",
        "把序列开始之前的值当成了 0，多出了 p 行并不存在的数据。求和只在 t = p .. T-1 上进行，那里每个滞后值都是观测值。",
    ),
    Mistake(
        "first_row_dropped",
        FIT,
        _first_row_dropped,
        "The first usable row, t = p, was left out (range(p + 1, T)). The targets are x_p, ..., x_{T-1}: "
        "T - p rows, starting at t = p.",
        "漏掉了第一条可用的行 t = p（写成了 range(p + 1, T)）。目标值是 x_p, ..., x_{T-1}：从 t = p 开始共 T - p 行。",
    ),
    Mistake(
        "mean_as_intercept",
        FIT,
        _mean_as_intercept,
        "c came back as the series' mean. The intercept is not the mean: an AR process has mean "
        "mu = c / (1 - sum(phi)). Fit c as the coefficient of a column of ones.",
        "c 返回的是序列的均值。截距不是均值：AR 过程的均值是 mu = c / (1 - sum(phi))。"
        "请把 c 作为全 1 列的系数一起拟合出来。",
    ),
    Mistake(
        "window_not_updated",
        FORECAST,
        _forecast_with(refresh=False),
        "Every step repeated the first forecast: the window of recent values was taken once, before the loop. "
        "Each step must read the values just before it, forecasts included: rebuild the window every step.",
        "每一步都重复了第一个预测值：最近值的窗口只在循环之前取了一次。"
        "每一步都要读它前面的最新值（包括之前的预测值）：每一步都重新取窗口。",
    ),
    Mistake(
        "phi_on_oldest_first",
        FORECAST,
        _forecast_with(order="oldest_first"),
        "phi was applied to the recent values oldest first: history[-p:] lists x_{t-p} first. phi_1 multiplies "
        "x_{t-1}, the newest value: use history[-p:][::-1].",
        "phi 乘到了按从旧到新排列的值上：history[-p:] 是从 x_{t-p} 开始的。phi_1 乘的是最新的 x_{t-1}："
        "请用 history[-p:][::-1]。",
    ),
    Mistake(
        "missing_intercept",
        FORECAST,
        _forecast_with(intercept="none"),
        "The intercept c = coeffs[0] was left out of the forecasts: each step is c + phi_1 x_{t-1} + ... + "
        "phi_p x_{t-p}.",
        "预测里漏掉了截距 c = coeffs[0]：每一步都是 c + phi_1 x_{t-1} + ... + phi_p x_{t-p}。",
    ),
    Mistake(
        "intercept_read_last",
        FORECAST,
        _forecast_with(intercept="last"),
        "coeffs was read as [phi_1, ..., phi_p, c]. It is [c, phi_1, ..., phi_p], as ar_fit returns it: "
        "c = coeffs[0], phi = coeffs[1:].",
        "coeffs 被当成了 [phi_1, ..., phi_p, c]。它的顺序是 [c, phi_1, ..., phi_p]（与 ar_fit 的返回值相同）："
        "c = coeffs[0]，phi = coeffs[1:]。",
    ),
    Mistake(
        "skips_latest",
        FORECAST,
        _forecast_with(skip_latest=True),
        "Each step skipped the newest value (history[-p-1:-1]), so phi_1 met x_{t-2}. The window for step t is the "
        "last p values, x_{t-1} back to x_{t-p}.",
        "每一步都跳过了最新的值（history[-p-1:-1]），于是 phi_1 乘到了 x_{t-2}。第 t 步的窗口是最后 p 个值，"
        "从 x_{t-1} 到 x_{t-p}。",
    ),
    Mistake(
        "returned_history",
        FORECAST,
        _forecast_with(whole_history=True),
        "The series came back with the forecasts appended. Return only the `steps` new values, shape (steps,).",
        "返回的是原序列加上预测值。只返回 `steps` 个新值，形状为 (steps,)。",
    ),
    Mistake(
        "minus_zero_slice",
        FORECAST,
        _minus_zero_slice,
        "With p = 0, history[-p:] is history[-0:] = history[0:], the whole history, not an empty window. "
        "Slice with history[len(history) - p:], which is empty when p = 0 (the forecast is then c at every step).",
        "p = 0 时，history[-p:] 就是 history[-0:] = history[0:]，是整个历史，而不是空窗口。"
        "请写 history[len(history) - p:]，p = 0 时它为空（此时每一步的预测都是 c）。",
    ),
]
