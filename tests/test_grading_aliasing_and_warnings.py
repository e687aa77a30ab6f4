"""A right result can still be wrong for how it was made: returned as (a view of) the caller's array, or computed
through inf/NaN arithmetic that numpy warned about. Graded against `relu` with files in learner_files/failures/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.compare import is_numeric_warning, matching_mistakes
from dlquiz.grading.grader import grade_file
from dlquiz.grading.report import to_dict
from dlquiz.grading.spec import Case, Mistake

FILES = Path(__file__).parent / "learner_files" / "failures"


@pytest.fixture(scope="module")
def relu():
    return load_exercise("relu")


@pytest.mark.parametrize("name", ["returns_input.py", "returns_view.py"])
def test_returning_the_input_or_a_view_of_it_fails(relu, name):
    result = grade_file(relu, FILES / name)
    assert result.status == "failed"
    aliased = [case for case in result.cases if case.kind == "aliased"]
    # exactly the relu cases without a negative value take the shortcut
    assert {case.name for case in aliased} == {"relu: all zeros", "relu: all positive", "relu: values above 1 kept"}
    assert all(case.aliased == ["x"] and not case.passed for case in aliased)
    message = aliased[0].message
    assert "`x` itself (or a view of it" in message["en"] and "x.copy()" in message["en"]
    assert "视图" in message["zh"]
    assert all(case.passed for case in result.cases if case.kind != "aliased")
    assert not result.diagnoses  # no known mistake is blamed for values that were right


def test_a_result_built_from_the_input_is_not_an_alias(relu):
    result = grade_file(relu, relu.solution_path)
    assert result.status == "passed" and all(case.aliased == [] for case in result.cases)


def test_an_overflow_warning_fails_a_case_with_right_values(relu):
    result = grade_file(relu, FILES / "warns_overflow.py")
    assert result.status == "failed"
    failed = [case for case in result.cases if not case.passed]
    assert all(case.kind == "numeric_warning" and case.function == "relu" for case in failed)
    case = next(case for case in failed if case.name == "relu: huge and tiny magnitudes")
    assert case.max_abs <= 1e-300  # the values matched (exp(-1e-300) rounds to 1, so -1e-300 is kept)
    assert "'overflow encountered in exp' (line 6 of your file)" in case.message["en"]
    assert "np.where(cond, a, b) computes both" in case.message["en"]
    assert "“overflow encountered in exp”（你的文件第 6 行）" in case.message["zh"]
    assert to_dict(result)["cases"][[c.name for c in result.cases].index(case.name)]["kind"] == "numeric_warning"


def test_a_deliberately_silenced_overflow_is_the_learners_choice(relu):
    assert grade_file(relu, FILES / "silences_warnings.py").status == "passed"


def test_wrong_values_keep_their_verdict_and_name_the_warning(relu):
    result = grade_file(relu, FILES / "returns_nan.py")
    failure = result.first_failure
    assert failure.kind == "not_finite"
    assert "numpy also warned: 'invalid value encountered in divide' (line 10 of your file)" in failure.message["en"]
    assert "numpy 还发出了警告" in failure.message["zh"]


def test_mutation_outranks_aliasing(relu):
    result = grade_file(relu, FILES.parent / "relu" / "in_place.py")  # np.maximum(x, 0, out=x); return x
    mutated = [case for case in result.cases if case.mutated]
    assert mutated and all(case.kind == "mutated" for case in mutated)


def test_which_warnings_count():
    assert is_numeric_warning("overflow encountered in exp")
    assert is_numeric_warning("invalid value encountered in divide")
    assert is_numeric_warning("divide by zero encountered in log")
    assert not is_numeric_warning("underflow encountered in exp")  # rounding to 0 is what stable code does
    assert not is_numeric_warning("Mean of empty slice")


def test_a_warned_case_is_diagnosed_only_by_mistakes_that_warn_too():
    x = np.array([-1e4, 0.0, 3.0])
    case = Case("sigmoid", "f", (x,))
    right = 1.0 / (1.0 + np.exp(-np.clip(x, -700, 700)))

    def naive(x):
        return 1.0 / (1.0 + np.exp(-x))  # overflows for x = -1e4, yet every value is right

    def stable(x):
        return np.exp(-np.logaddexp(0.0, -x))

    mistakes = [Mistake("stable", "f", stable, "", ""), Mistake("naive", "f", naive, "", "")]
    assert [m.name for m in matching_mistakes(case, right, mistakes, warned=True)] == ["naive"]
    assert [m.name for m in matching_mistakes(case, right, mistakes)] == ["stable", "naive"]
