"""`gap`: global average pooling against adaptive_avg_pool2d(x, 1), and the axis mix-ups learners make."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.grader import grade_file

FILES = Path(__file__).parent / "learner_files" / "gap"


@pytest.fixture(scope="module")
def gap():
    return load_exercise("gap")


def test_an_equivalent_formula_passes(gap):
    assert grade_file(gap, FILES / "mean_of_means.py").status == "passed"


WRONG = [
    ("keepdims.py", "keepdims", "(N, C, 1, 1)", "wrong_shape"),
    ("sum_not_mean.py", "sum_not_mean", "summed", "wrong_values"),
    ("max_not_mean.py", "max_not_mean", "global max pooling", "wrong_values"),
    ("wrong_axes.py", "wrong_axes_01", "axes (0, 1)", "wrong_shape"),
    ("transposed.py", "transposed", "(C, N)", "wrong_shape"),
    ("reshape_c_n.py", "reshape_c_n", "re-cuts the memory", "wrong_shape"),
    ("square_maps.py", "square_maps", "H·H", "wrong_values"),
    ("divided_by_h.py", "divided_by_h", "divided by H only", "wrong_values"),
    ("per_sample.py", "per_sample", "(N,)", "wrong_shape"),
    ("last_axis_only.py", "last_axis_only", "(N, C, H)", "wrong_shape"),
]


@pytest.mark.parametrize("name, mistake, words, kind", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_implementation_gets_the_right_diagnosis(gap, name, mistake, words, kind):
    result = grade_file(gap, FILES / name)
    assert result.status == "failed"
    assert result.first_failure.kind == kind
    assert [d.name for d in result.diagnoses] == [mistake]
    assert words in result.diagnoses[0].message["en"] and result.diagnoses[0].message["zh"]


def test_square_batch_catches_a_transpose_that_keeps_the_shape(gap):
    result = grade_file(gap, FILES / "transposed.py")
    square = next(c for c in result.cases if c.name == "global_avg_pool: N == C (square batch)")
    assert square.kind == "wrong_values" and square.diagnosis == "transposed"


def test_non_square_maps_catch_dividing_by_h_squared(gap):
    result = grade_file(gap, FILES / "square_maps.py")
    failed = {c.name for c in result.cases if not c.passed}
    assert "global_avg_pool: N != C, H != W" in failed
    assert "global_avg_pool: all zeros" not in failed  # square 4x4 maps cannot tell


def test_float32_and_in_place(gap):
    assert grade_file(gap, FILES / "float32.py").first_failure.kind == "wrong_dtype"
    failure = grade_file(gap, FILES / "in_place.py").first_failure
    assert failure.kind == "mutated" and "`x`" in failure.message["en"]
