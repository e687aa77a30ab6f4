"""The comparison follows torch.testing.assert_close: type, shape, dtype, NaN/inf, then |a - e| <= atol + rtol*|e|."""

from __future__ import annotations

import numpy as np
import pytest

from dlquiz.grading.compare import compare, compare_value, matching_mistakes, ordinal
from dlquiz.grading.runner import BigArray, LearnerError, Opaque
from dlquiz.grading.spec import Case, Mistake, Raises

RTOL = ATOL = 1e-7


def check(actual, expected, rtol=RTOL, atol=ATOL):
    return compare("f", actual, expected, rtol, atol)


def error(name, *bases, message="boom"):
    return LearnerError(
        type=name,
        classes=(name, *bases, "Exception", "BaseException", "object"),
        message=message,
        traceback="Traceback ...",
    )


def test_equal_arrays_pass_with_zero_error():
    verdict = check(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    assert verdict.passed and verdict.max_abs == 0.0 and verdict.max_rel == 0.0


def test_tolerance_is_atol_plus_rtol_times_expected():
    expected = np.array([1000.0])
    limit = ATOL + RTOL * 1000.0
    assert check(expected + limit * 0.99, expected).passed
    failed = check(expected + limit * 1.5, expected)
    assert not failed.passed and failed.kind == "wrong_values"
    assert failed.max_abs == pytest.approx(limit * 1.5)
    assert failed.max_rel == pytest.approx(limit * 1.5 / 1000.0)


def test_the_message_points_at_the_largest_difference():
    verdict = check(np.array([[0.0, 0.1], [5.0, 0.0]]), np.zeros((2, 2)))
    assert "2 of 4 values differ" in verdict.message["en"]
    assert "index (1, 0)" in verdict.message["en"] and "got 5" in verdict.message["en"]


def test_shape_is_checked_before_dtype_and_values():
    verdict = check(np.zeros((2, 3, 1, 1), dtype=np.float32), np.zeros((2, 3)))
    assert verdict.kind == "wrong_shape" and "(2, 3, 1, 1)" in verdict.message["en"]


def test_dtype_mismatch_has_advice_for_bools():
    verdict = check(np.array([True, False]), np.array([1.0, 0.0]))
    assert verdict.kind == "wrong_dtype" and "astype" in verdict.message["en"]


@pytest.mark.parametrize("bad, word", [(np.nan, "NaN"), (np.inf, "inf"), (-np.inf, "inf")])
def test_non_finite_values_are_named(bad, word):
    verdict = check(np.array([0.5, bad]), np.array([0.5, 1.0]))
    assert verdict.kind == "not_finite" and word in verdict.message["en"] and "index (1,)" in verdict.message["en"]


def test_matching_infinities_and_nans_pass():
    assert check(np.array([np.inf, -np.inf, np.nan]), np.array([np.inf, -np.inf, np.nan])).passed
    assert not check(np.array([-np.inf]), np.array([np.inf])).passed


def test_an_expected_infinity_is_not_matched_by_a_finite_value():
    # rtol * |inf| is inf: without care, any finite value would pass where inf is expected.
    verdict = check(np.array([1.0, -3.0]), np.array([1.0, -np.inf]))
    assert not verdict.passed and verdict.kind == "wrong_values" and "index (1,)" in verdict.message["en"]
    assert not check(np.array([5.0]), np.array([np.inf])).passed


def test_integer_arrays_are_compared_exactly():
    assert check(np.array([1, 2]), np.array([1, 2])).passed
    assert check(np.array([1, 3]), np.array([1, 2])).kind == "wrong_values"


def test_wrong_types_for_arrays():
    assert check([1.0, 2.0], np.array([1.0, 2.0])).kind == "wrong_type"
    assert "None" in check(None, np.array([1.0])).message["en"]
    assert check(np.float64(1.0), np.array([1.0])).kind == "wrong_type"
    assert "Tensor" in check(Opaque("Tensor", "Tensor([1.])"), np.array([1.0])).message["en"]
    assert check(BigArray((5000, 5000), "<f8", "too_big"), np.zeros(3)).kind == "wrong_shape"


def test_ints_accept_numpy_integers_but_not_floats_or_bools():
    assert check(3, 3).passed and check(np.int64(3), 3).passed
    floated = check(3.0, 3)
    assert floated.kind == "wrong_type" and "//" in floated.message["en"]
    assert check(True, 1).kind == "wrong_type"
    assert check(4, 3).kind == "wrong_values"


def test_tuples_are_compared_element_by_element():
    expected = (np.zeros(2), np.ones(2))
    assert check((np.zeros(2), np.ones(2)), expected).passed
    assert check([np.zeros(2), np.ones(2)], expected).passed  # a list is fine
    assert check((np.zeros(2),), expected).kind == "wrong_length"
    wrong = check((np.zeros(2), np.zeros(2)), expected)
    assert not wrong.passed and "the 2nd of the 2 returned values" in wrong.message["en"]
    assert "2 个返回值中的第 2 个" in wrong.message["zh"]


def test_a_wrong_part_of_a_tuple_is_named_when_the_exercise_names_them():
    expected = (np.zeros(2), np.ones(2), np.ones(3))
    names = ("out", "new_running_mean", "new_running_var")
    wrong = compare_value("bn", (np.zeros(2), np.ones(2), np.zeros(3)), expected, 1e-7, 1e-7, returns=names)
    assert wrong.message["en"].startswith("`new_running_var` (the 3rd of the 3 returned values): 3 of 3 values differ")
    assert wrong.message["zh"].startswith("`new_running_var`（3 个返回值中的第 3 个）：")
    shape = compare_value("bn", (np.zeros(2), np.ones(3), np.ones(3)), expected, 1e-7, 1e-7, returns=names)
    assert "`new_running_mean` returned shape (3,), expected (2,)" in shape.message["en"]
    # Names that do not fit the reference (a stale exercise.yaml) are not used: a wrong name would mislead.
    stale = compare_value("bn", (np.zeros(2), np.ones(2), np.zeros(3)), expected, 1e-7, 1e-7, returns=("a", "b"))
    assert stale.message["en"].startswith("the 3rd of the 3 returned values:")


@pytest.mark.parametrize(
    "number, text",
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (111, "111th"),
    ],
)
def test_ordinals(number, text):
    assert ordinal(number) == text


def test_expected_errors():
    expected = Raises(ValueError, "the output would be empty")
    assert check(error("ValueError"), expected).passed
    assert check(error("MyError", "ValueError"), expected).passed  # a subclass is still a ValueError
    returned = check(-2, expected)
    assert returned.kind == "expected_error" and "the output would be empty" in returned.message["en"]
    other = check(error("AssertionError"), expected)
    assert other.kind == "wrong_error" and "ValueError" in other.message["en"]


def test_learner_exceptions():
    assert check(error("NotImplementedError", "RuntimeError"), np.zeros(1)).kind == "not_implemented"
    assert check(error("MemoryError"), np.zeros(1)).kind == "memory"
    raised = check(error("ZeroDivisionError", "ArithmeticError", message="division by zero"), np.zeros(1))
    assert raised.kind == "exception" and "ZeroDivisionError: division by zero" in raised.message["en"]


def test_matching_mistakes_finds_values_and_errors_and_skips_broken_ones():
    case = Case("c", "f", (np.array([-1.0, 0.0, 2.0]),))

    def broken(x):
        raise RuntimeError("a bug in the mistake itself")

    mistakes = [
        Mistake("broken", "f", broken, "en", "zh"),
        Mistake("abs", "f", np.abs, "abs en", "abs zh"),
        Mistake("other_function", "g", np.abs, "en", "zh"),
        Mistake("raises", "f", lambda x: int("x"), "en", "zh"),
    ]
    assert [m.name for m in matching_mistakes(case, np.array([1.0, 0.0, 2.0]), mistakes)] == ["abs"]
    assert [m.name for m in matching_mistakes(case, error("ValueError"), mistakes)] == ["raises"]
    assert matching_mistakes(case, np.array([9.0, 9.0, 9.0]), mistakes) == []


def test_an_exception_mistake_can_require_its_own_error_message():
    """A ValueError alone would blame the mistake for any other code that raises one."""
    case = Case("c", "f", (np.zeros((2, 3, 5)),))

    def per_position(message: str, case: Case) -> bool:
        return "(3,5)" in message.replace(" ", "")

    mistakes = [Mistake("axis_0", "f", lambda x: np.zeros(3) + x.mean(axis=0), "en", "zh", error_matches=per_position)]
    ours = error("ValueError", message="operands could not be broadcast together with shapes (3,) (3,5)")
    other = error("ValueError", message="operands could not be broadcast together with shapes (2,3,5) (3,)")
    assert [m.name for m in matching_mistakes(case, ours, mistakes)] == ["axis_0"]
    assert matching_mistakes(case, other, mistakes) == []
    assert matching_mistakes(case, error("TypeError", message="(3,5)"), mistakes) == []


def test_numpy_scalar_references_stand_for_python_numbers():
    assert check(3, np.int64(3)).passed
    assert check(2.5, np.float64(2.5)).passed
    assert check(3.0, np.int64(3)).kind == "wrong_type"
