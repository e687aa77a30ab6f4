"""`padding`: output sizes and errors exactly as conv1d produces them, and the formula mistakes learners make."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.grader import grade_file
from dlquiz.grading.spec import Raises

FILES = Path(__file__).parent / "learner_files" / "padding"


@pytest.fixture(scope="module")
def padding():
    return load_exercise("padding")


def test_cases_cover_errors_even_kernels_and_dilation(padding):
    result = grade_file(padding, padding.solution_path)
    expected = {c.name: c.expected for c in result.cases}
    assert expected["conv_output_size: ResNet stem 224 -> 112"] == 112
    assert isinstance(expected["conv_output_size: empty output: kernel longer than input"], Raises)
    assert isinstance(expected["same_padding: even kernel 4: impossible"], Raises)
    assert expected["same_padding: even kernel 2, dilation 2: possible"] == 1
    assert expected["same_padding: kernel 5, dilation 3"] == 6


def test_numpy_integers_are_accepted(padding):
    assert grade_file(padding, FILES / "numpy_ints.py").status == "passed"


WRONG = [
    ("no_dilation.py", "no_dilation", "ignores dilation", "conv_output_size: dilation 2"),
    ("true_division.py", "true_division", "`//`", "conv_output_size: stride 2 floors"),
    ("ceil.py", "ceil", "round up", "conv_output_size: stride 2 floors"),
    (
        "no_value_error.py",
        "no_value_error",
        "raise ValueError",
        "conv_output_size: empty output: kernel longer than input",
    ),
    ("truncates.py", "truncates_toward_zero", "int(...)", "conv_output_size: empty output with stride 2"),
    ("padding_once.py", "padding_once", "n + 2p", "conv_output_size: padding keeps the size"),
    ("no_plus_one.py", "no_plus_one", "+ 1", "conv_output_size: no padding, stride 1 (n - a + 1)"),
    ("same_even_no_error.py", "same_even_kernel_no_error", "even kernel", "same_padding: even kernel 4: impossible"),
    ("same_half_kernel.py", "same_half_kernel", "kernel // 2", "same_padding: kernel 3, dilation 2"),
    (
        "same_rejects_even.py",
        "same_rejects_every_even_kernel",
        "k=2, d=2",
        "same_padding: even kernel 2, dilation 2: possible",
    ),
    ("same_no_dilation.py", "same_no_dilation", "ignores dilation", "same_padding: kernel 3, dilation 2"),
]


@pytest.mark.parametrize("name, mistake, words, case", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_implementation_gets_the_right_diagnosis(padding, name, mistake, words, case):
    result = grade_file(padding, FILES / name)
    assert result.status == "failed"
    assert [d.name for d in result.diagnoses] == [mistake]
    assert words in result.diagnoses[0].message["en"] and result.diagnoses[0].message["zh"]
    assert case in result.diagnoses[0].cases


def test_no_value_error_says_why_pytorch_refuses(padding):
    result = grade_file(padding, FILES / "no_value_error.py")
    failure = result.first_failure
    assert failure.kind == "expected_error"
    assert "returned int -2" in failure.message["en"]
    assert "shorter than the dilated kernel" in failure.message["en"] and "ValueError" in failure.message["en"]


def test_true_division_returns_floats_and_is_told_to_use_floor_division(padding):
    failure = grade_file(padding, FILES / "true_division.py").first_failure
    assert failure.kind == "wrong_type" and "float 3.0" in failure.message["en"] and "//" in failure.message["en"]


def test_an_assert_is_not_a_value_error(padding):
    result = grade_file(padding, FILES / "asserts.py")
    failure = result.first_failure
    assert failure.kind == "wrong_error"
    assert "AssertionError" in failure.message["en"] and "PyTorch raises ValueError" in failure.message["en"]
