"""`autoregressive`: the AR(p) fit against torch.linalg.lstsq and the recursive forecast against the same recursion
in torch; the least-squares tolerance accepts every sound solver and no mistake."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from exercise_checks import (
    assert_diagnosed,
    assert_mistakes_are_told_apart,
    assert_note_is_verbatim,
    cli_grade,
    solution_module,
)

from dlquiz.grading.catalog import load_exercise, split_languages
from dlquiz.grading.compare import mistake_outcome, compare_value
from dlquiz.grading.grader import grade_file, grading_module, references

FILES = Path(__file__).parent / "learner_files" / "autoregressive"
FIT, FORECAST = "ar_fit", "ar_forecast"
EXERCISE = load_exercise("autoregressive")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()
FIT_CASES = [case for case in CASES if case.function == FIT]


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


def lag_matrix(series: np.ndarray, p: int) -> np.ndarray:
    T = len(series)
    return np.column_stack([np.ones(T - p)] + [series[p - i : T - i] for i in range(1, p + 1)])


# --- the folder and the cases --------------------------------------------------------------------------------------


def test_metadata_task_and_note():
    assert EXERCISE.functions == (FIT, FORECAST) and EXERCISE.order == 70
    assert len(EXERCISE.hints) >= 3 and all(set(hint) == {"zh", "en"} for hint in EXERCISE.hints)
    task = split_languages(EXERCISE.task_path.read_text(encoding="utf-8"))
    assert set(task) == {"zh", "en"}
    assert all(FIT in text and FORECAST in text and "rtol = 1e-6" in text for text in task.values())
    assert_note_is_verbatim(EXERCISE, "就是用过去时间点的数据预测未来时间点的数据")


def test_cases_repeat_exactly_and_cover_the_edges():
    again = GRADING.cases()
    assert [c.name for c in CASES] == [c.name for c in again] and len({c.name for c in CASES}) == len(CASES)
    for first, second in zip(CASES, again, strict=False):
        assert all(np.array_equal(a, b) for a, b in zip(first.args, second.args, strict=False))
    fit_orders = {case.args[1] for case in FIT_CASES}
    assert fit_orders >= {0, 1, 2, 3}
    assert all(len(case.args[0]) - case.args[1] >= case.args[1] + 1 for case in FIT_CASES), "a unique solution"
    assert any(len(case.args[0]) == 2 * case.args[1] + 1 for case in FIT_CASES), "the fewest rows"
    forecasts = [case for case in CASES if case.function == FORECAST]
    assert {len(case.args[1]) - 1 for case in forecasts} >= {0, 1, 2, 3}
    assert any(case.args[2] == 0 for case in forecasts) and any(case.args[2] > len(case.args[1]) for case in forecasts)
    assert any(len(case.args[0]) == len(case.args[1]) - 1 for case in forecasts), "a series exactly p long"


def test_lag_matrices_are_well_conditioned():
    """The documented bound behind the tolerance: condition numbers stay below 1e4."""
    for case in FIT_CASES:
        assert np.linalg.cond(lag_matrix(*case.args)) < 1e4, case.name


def test_references_fit_what_they_should(expected):
    for case, value in zip(CASES, expected, strict=False):
        if case.function == FIT:
            assert value.shape == (case.args[1] + 1,) and value.dtype == np.float64, case.name
        else:
            assert value.shape == (case.args[2],) and value.dtype == np.float64, case.name
    by_name = {case.name: value for case, value in zip(CASES, expected, strict=False)}
    # exact AR processes are recovered exactly: a straight line and a sine wave
    assert np.allclose(by_name["ar_fit: a straight line is exactly AR(1)"], [0.5, 1.0])
    exact_sine = [5 * (2 - 2 * np.cos(0.7)), 2 * np.cos(0.7), -1]  # x_t = 2cos(w) x_{t-1} - x_{t-2} + c
    assert np.allclose(by_name["ar_fit: a sine wave is exactly AR(2)"], exact_sine)
    continued = 5.0 + np.sin(0.7 * np.arange(12.0, 20.0))
    assert np.allclose(by_name["ar_forecast: a sine wave continues"], continued)
    p0 = next(c for c in FIT_CASES if c.args[1] == 0)
    assert np.allclose(by_name[p0.name], [p0.args[0].mean()])


@pytest.mark.parametrize("solver", ["lstsq", "normal_equations", "pinv", "qr"])
def test_every_sound_solver_passes_at_the_tolerance(solver, expected):
    for case, value in zip(CASES, expected, strict=False):
        if case.function != FIT:
            continue
        X, y = lag_matrix(*case.args), case.args[0][case.args[1] :]
        if solver == "lstsq":
            coeffs = np.linalg.lstsq(X, y, rcond=None)[0]
        elif solver == "normal_equations":
            coeffs = np.linalg.solve(X.T @ X, X.T @ y)
        elif solver == "pinv":
            coeffs = np.linalg.pinv(X) @ y
        else:
            q, r = np.linalg.qr(X)
            coeffs = np.linalg.solve(r, q.T @ y)
        assert compare_value(FIT, coeffs, value, case.rtol, case.atol).passed, case.name
        assert np.max(np.abs(coeffs - value)) < 1e-8, case.name  # far inside the tolerance


def test_every_fit_mistake_misses_by_far_more_than_the_tolerance(expected):
    for mistake in GRADING.MISTAKES:
        if mistake.function != FIT:
            continue
        misses = []
        for case, value in zip(
            FIT_CASES, [v for c, v in zip(CASES, expected, strict=False) if c.function == FIT], strict=False
        ):
            outcome, _ = mistake_outcome(mistake, case)
            if isinstance(outcome, np.ndarray):
                misses.append(np.inf if outcome.shape != value.shape else np.max(np.abs(outcome - value)))
        assert max(misses) > 1e-3, mistake.name


def test_the_solution_matches_on_every_case(expected):
    solution = solution_module(EXERCISE)
    for case, value in zip(CASES, expected, strict=False):
        outcome = getattr(solution, case.function)(*case.args)
        assert compare_value(case.function, outcome, value, case.rtol, case.atol).passed, case.name


def test_mistakes_are_wrong_and_told_apart(expected):
    assert 6 <= len(GRADING.MISTAKES) <= 16
    assert_mistakes_are_told_apart(GRADING.MISTAKES, CASES, expected)


# --- graded end to end ---------------------------------------------------------------------------------------------


def test_normal_equations_and_a_buffer_are_an_equivalent_solution():
    assert grade_file(EXERCISE, FILES / "normal_equations.py").status == "passed"


# (learner file, diagnosis, words of its English message, a case that must fail, and how)
WRONG = [
    ("no_intercept.py", "no_intercept", "column of ones", "ar_fit: AR(3), T=50", "wrong_shape"),
    (
        "intercept_last.py",
        "intercept_last",
        "[c, phi_1, ..., phi_p]",
        "ar_fit: series far from zero (mean near 50)",
        "wrong_values",
    ),
    (
        "lag_order_reversed.py",
        "lag_order_reversed",
        "series[t-p:t][::-1]",
        "ar_fit: AR(2) with phi_1 != phi_2, T=40",
        "wrong_values",
    ),
    ("includes_current.py", "includes_current", "x_t itself", "ar_fit: AR(1), c=2, phi=0.6, T=30", "wrong_values"),
    ("roll_wraps.py", "roll_wraps", "np.roll", "ar_fit: a straight line is exactly AR(1)", "wrong_values"),
    ("zero_padded.py", "zero_padded", "taken as 0", "ar_fit: series far from zero (mean near 50)", "wrong_values"),
    ("first_row_dropped.py", "first_row_dropped", "range(p + 1, T)", "ar_fit: fewest rows: T = 2p + 1", "wrong_values"),
    (
        "mean_as_intercept.py",
        "mean_as_intercept",
        "c / (1 - sum(phi))",
        "ar_fit: series far from zero (mean near 50)",
        "wrong_values",
    ),
    (
        "window_not_updated.py",
        "window_not_updated",
        "before the loop",
        "ar_forecast: a sine wave continues",
        "wrong_values",
    ),
    (
        "phi_on_oldest_first.py",
        "phi_on_oldest_first",
        "history[-p:][::-1]",
        "ar_forecast: AR(2), steps > p",
        "wrong_values",
    ),
    ("missing_intercept.py", "missing_intercept", "coeffs[0]", "ar_forecast: values near 1e6", "wrong_values"),
    ("intercept_read_last.py", "intercept_read_last", "c = coeffs[0]", "ar_forecast: AR(1), 5 steps", "wrong_values"),
    ("skips_latest.py", "skips_latest", "history[-p-1:-1]", "ar_forecast: oscillating phi=-0.8", "wrong_values"),
    ("returned_history.py", "returned_history", "(steps,)", "ar_forecast: no steps: an empty forecast", "wrong_shape"),
    ("minus_zero_slice.py", "minus_zero_slice", "history[-0:]", "ar_forecast: p=0: c at every step", "exception"),
]


@pytest.mark.parametrize("file, mistake, words, case_name, kind", WRONG, ids=[w[0] for w in WRONG])
def test_each_wrong_implementation_gets_its_diagnosis(file, mistake, words, case_name, kind):
    assert_diagnosed(EXERCISE, FILES / file, mistake, words, kind, case_name)


def test_every_mistake_has_a_learner_file():
    assert {w[1] for w in WRONG} == {m.name for m in GRADING.MISTAKES}


def test_standardising_the_series_in_place_fails_as_mutated():
    result = grade_file(EXERCISE, FILES / "standardises_in_place.py")
    fits = [c for c in result.cases if c.function == FIT]
    assert all(c.kind == "mutated" and c.mutated == ["series"] for c in fits)
    assert all(c.passed for c in result.cases if c.function == FORECAST)


def test_the_cli_grades_a_file_with_exit_codes():
    code, report = cli_grade("autoregressive", EXERCISE.solution_path)
    assert code == 0 and report["status"] == "passed"
    code, report = cli_grade("autoregressive", FILES / "lag_order_reversed.py")
    assert code == 1 and [d["name"] for d in report["diagnoses"]] == ["lag_order_reversed"]
