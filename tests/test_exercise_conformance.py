"""What every exercise owes the learner, checked for each one in the catalog (a new exercise is covered the day it is
added): the reference solution passes every case, and the untouched template fails cleanly, every case saying the
function is not written yet, in both languages, with no diagnosis. Each exercise's own file tests its mistakes."""

from __future__ import annotations

import pytest

from dlquiz.grading.cases import exercise_cases
from dlquiz.grading.catalog import exercise_names, load_exercise
from dlquiz.grading.grader import grade_file

NAMES = exercise_names()


def test_the_catalog_is_complete():
    assert len(NAMES) == 16


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_solution_passes_every_case(name):
    exercise = load_exercise(name)
    result = grade_file(exercise, exercise.solution_path)
    assert result.status == "passed", result.summary()
    assert result.cases_passed == result.cases_total == len(exercise_cases(exercise))
    assert result.diagnoses == []


@pytest.mark.parametrize("name", NAMES)
def test_the_untouched_template_fails_cleanly(name):
    exercise = load_exercise(name)
    result = grade_file(exercise, exercise.template_path)
    assert result.status == "failed" and result.error_kind is None and result.cases_passed == 0
    assert {case.kind for case in result.cases} == {"not_implemented"}
    assert result.diagnoses == []
    message = result.first_failure.message
    assert "is not written yet" in message["en"] and "replace the TODO" in message["en"]
    assert "还没有实现" in message["zh"]
