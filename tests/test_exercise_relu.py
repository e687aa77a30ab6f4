"""`relu`: the reference passes, the template fails cleanly, and the mistakes learners make are diagnosed."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.grader import grade_file

FILES = Path(__file__).parent / "learner_files" / "relu"


@pytest.fixture(scope="module")
def relu():
    return load_exercise("relu")


def test_reference_solution_passes(relu):
    result = grade_file(relu, relu.solution_path)
    assert result.status == "passed" and result.cases_passed == result.cases_total >= 20
    assert result.diagnoses == []


def test_a_slow_but_correct_loop_passes(relu):
    assert grade_file(relu, FILES / "loops.py").status == "passed"


# (file, mistake, words of the diagnosis, a case that must have failed)
WRONG = [
    ("grad_one_at_zero.py", "grad_one_at_zero", "x >= 0", "relu_grad: exactly zero"),
    ("grad_heaviside_half.py", "grad_half_at_zero", "0.5", "relu_grad: exactly zero"),
    ("grad_sign.py", "grad_sign", "-1", "relu_grad: all negative"),
    ("grad_is_relu.py", "grad_is_relu", "relu(x) itself", "relu_grad: large positives"),
    ("keeps_negatives.py", "relu_keeps_negatives", "wrong way round", "relu: all negative"),
    ("absolute_value.py", "relu_abs", "|x|", "relu: mixed signs"),
    ("clipped_at_one.py", "relu_clipped_at_one", "above 1", "relu: values above 1 kept"),
    ("relu6.py", "relu_clipped_at_six", "ReLU6", "relu: values above 1 kept"),
    ("leaky.py", "relu_leaky", "Leaky ReLU", "relu: all negative"),
]


@pytest.mark.parametrize("name, mistake, words, case", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_implementation_gets_the_right_diagnosis(relu, name, mistake, words, case):
    result = grade_file(relu, FILES / name)
    assert result.status == "failed"
    assert [d.name for d in result.diagnoses] == [mistake]
    assert words in result.diagnoses[0].message["en"] and result.diagnoses[0].message["zh"]
    assert case in result.diagnoses[0].cases
    failed = {c.name for c in result.cases if not c.passed}
    assert case in failed


def test_exact_zero_gradient_is_the_only_failure_of_x_ge_0(relu):
    result = grade_file(relu, FILES / "grad_one_at_zero.py")
    failed = sorted(c.name for c in result.cases if not c.passed)
    assert failed == ["relu_grad: exactly zero", "relu_grad: zeros among others"]


def test_bool_gradient_is_a_dtype_problem(relu):
    result = grade_file(relu, FILES / "grad_bool.py")
    failure = result.first_failure
    assert failure.function == "relu_grad" and failure.kind == "wrong_dtype"
    assert "bool" in failure.message["en"] and "astype" in failure.message["en"]


def test_in_place_relu_fails_as_a_mutation(relu):
    result = grade_file(relu, FILES / "in_place.py")
    # On all-zero input np.maximum(x, 0, out=x) changes nothing, but the result is still x itself.
    assert result.first_failure.name == "relu: all zeros" and result.first_failure.kind == "aliased"
    failure = next(case for case in result.cases if case.kind == "mutated")
    assert failure.function == "relu" and failure.mutated == ["x"]
    assert "in place" in failure.message["en"] and "原地修改" in failure.message["zh"]
    # Where nothing is negative nothing changes, but the result is still the caller's own array.
    assert result.first_failure.name == "relu: all zeros" and result.first_failure.kind == "aliased"
