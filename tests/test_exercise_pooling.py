"""The pooling exercise: its cases hold PyTorch's contract, the reference solution passes, the template fails cleanly,
and every wrong implementation learners write is caught with its own diagnosis."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.compare import compare_value
from dlquiz.grading.grader import grade_file, grading_module, references
from dlquiz.grading.spec import Raises

LEARNER_FILES = Path(__file__).resolve().parent / "learner_files" / "pooling"
EXERCISE = load_exercise("pooling")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()
MISTAKES = {mistake.name: mistake for mistake in GRADING.MISTAKES}

# learner file -> (the diagnoses it must get, a phrase the first English message must contain)
WRONG_FILES = {
    "zero_padding_for_max.py": (["max_pads_with_zeros"], "a padded 0 wins the max"),
    "count_only_real_pixels.py": (["avg_ignores_padded_zeros"], "count_include_pad=False"),
    "minus_inf_padding_for_avg.py": (["avg_pads_with_minus_inf"], "Average pooling pads with zeros"),
    "stride_defaults_to_one.py": (["max_stride_defaults_to_1", "avg_stride_defaults_to_1"], "stride = kernel_size"),
    "ceil_mode.py": (["max_ceil_mode", "avg_ceil_mode"], "rounded up"),
    "windows_not_strided.py": (["max_windows_not_strided", "avg_windows_not_strided"], "row i*stride_h"),
    "pairs_as_width_height.py": (["max_pairs_read_as_w_h", "avg_pairs_read_as_w_h"], "read as (w, h)"),
    "np_pad_every_axis.py": (["max_pads_every_axis", "avg_pads_every_axis"], "N and C included"),
    "no_padding_check.py": (["max_accepts_wide_padding", "avg_accepts_wide_padding"], "raise ValueError"),
}


def _notes() -> str:
    """The author's notes (shared/seeds/DLNotes.txt in a folder above this checkout)."""
    for folder in Path(__file__).resolve().parents:
        seed = folder / "shared" / "seeds" / "DLNotes.txt"
        if seed.is_file():
            return seed.read_text(encoding="utf-8")
    pytest.skip("DLNotes.txt is not next to this checkout")


def _same(function, actual, expected) -> bool:
    if isinstance(expected, Raises):
        return isinstance(actual, Raises) and actual.exception is expected.exception
    return not isinstance(actual, Raises) and compare_value(function, actual, expected, 1e-7, 1e-7).passed


def _outcome(implementation, case):
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy's "Mean of empty slice" from a window past the end
            return implementation(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    except ValueError as error:
        return Raises(ValueError, str(error))


def _named(name, expected):
    """The case called `name` and PyTorch's answer to it."""
    return next((case, value) for case, value in zip(CASES, expected, strict=True) if case.name == name)


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


# --- the folder ----------------------------------------------------------------------------------------------------


def test_metadata():
    assert EXERCISE.functions == ("max_pool2d", "avg_pool2d") and EXERCISE.order == 18
    assert len(EXERCISE.hints) >= 3
    notes = _notes().splitlines()
    assert [line for line in EXERCISE.note.splitlines() if line not in notes] == []  # verbatim, line by line
    assert "MaxPooling" in EXERCISE.note and "stride = 2" in EXERCISE.note


# --- the cases -----------------------------------------------------------------------------------------------------


def test_cases_cover_what_finds_mistakes(expected):
    assert len({case.name for case in CASES}) == len(CASES)
    for function in ("max_pool2d", "avg_pool2d"):
        mine = [(case, value) for case, value in zip(CASES, expected, strict=True) if case.function == function]
        inputs = [case.args[0] for case, _ in mine]
        assert all(x.dtype == np.float64 and x.ndim == 4 for x in inputs)
        assert any(x.shape[0] == 1 for x in inputs) and any(x.shape[2] != x.shape[3] for x in inputs)
        padded = [case for case, _ in mine if case.kwargs.get("padding", 0) not in (0, (0, 0))]
        assert any(case.args[0].max() < 0 for case in padded), "all-negative input with padding"
        assert any(isinstance(case.args[1], tuple) and case.args[1][0] != case.args[1][1] for case, _ in mine)
        assert any(isinstance(p, tuple) and p[0] != p[1] for p in (c.kwargs.get("padding") for c, _ in mine))
        assert any(isinstance(s, tuple) and s[0] != s[1] for s in (c.kwargs.get("stride") for c, _ in mine))
        assert any("stride" not in case.kwargs for case, _ in mine) and any(
            "stride" in case.kwargs and case.kwargs["stride"] is None for case, _ in mine
        )
        refused = [value for _, value in mine if isinstance(value, Raises)]
        assert len(refused) >= 2 and all(value.exception is ValueError for value in refused)


def test_windows_that_do_not_tile_are_dropped(expected):
    """Floor mode, checked on PyTorch's own output: a 5x7 map with 2x2 windows gives 2x3."""
    _, value = _named("max_pool2d: windows do not tile: floor drops the rest", expected)
    assert value.shape == (1, 2, 2, 3)


def test_padded_zeros_count_in_pytorch_s_average(expected):
    case, value = _named("avg_pool2d: padding 1, all-negative input", expected)
    x = case.args[0]
    assert np.isclose(value[0, 0, 0, 0], x[0, 0, :2, :2].sum() / 9)  # a corner window holds 4 pixels and 5 zeros


def test_the_solution_passes_every_case_and_the_mistakes_are_each_found(expected):
    solution = grade_file(EXERCISE, EXERCISE.solution_path)
    assert solution.status == "passed", solution.summary()
    for name, mistake in MISTAKES.items():
        others = [m for m in MISTAKES.values() if m is not mistake and m.function == mistake.function]
        distinct = False
        for case, value in zip(CASES, expected, strict=True):
            if case.function != mistake.function:
                continue
            output = _outcome(mistake.implementation, case)
            if _same(case.function, output, value):
                continue
            distinct |= not any(_same(case.function, output, _outcome(m.implementation, case)) for m in others)
        assert distinct, f"{name} never differs from both PyTorch and every other mistake"


def test_mistake_messages_are_bilingual():
    assert 6 <= len({name.split("_", 1)[1] for name in MISTAKES})
    for mistake in MISTAKES.values():
        assert mistake.message_en.strip() and any("\u4e00" <= ch <= "\u9fff" for ch in mistake.message_zh)


# --- graded end to end ---------------------------------------------------------------------------------------------


def test_an_equivalent_loop_implementation_passes():
    result = grade_file(EXERCISE, LEARNER_FILES / "loops.py")
    assert result.status == "passed", result.summary()


def test_every_mistake_has_a_learner_file():
    assert {name for names, _ in WRONG_FILES.values() for name in names} == set(MISTAKES)


@pytest.mark.parametrize("file", sorted(WRONG_FILES))
def test_a_wrong_implementation_gets_its_diagnosis(file):
    names, phrase = WRONG_FILES[file]
    result = grade_file(EXERCISE, LEARNER_FILES / file)
    assert result.status == "failed", result.summary()
    assert sorted(d.name for d in result.diagnoses) == sorted(names)
    assert phrase in result.diagnoses[0].message["en"] and result.diagnoses[0].message["zh"]


def test_the_failure_kinds_say_what_went_wrong():
    kinds = {
        "zero_padding_for_max.py": "wrong_values",
        "minus_inf_padding_for_avg.py": "not_finite",
        "ceil_mode.py": "wrong_shape",
        "np_pad_every_axis.py": "wrong_shape",
        "no_padding_check.py": "expected_error",
    }
    for file, kind in kinds.items():
        assert grade_file(EXERCISE, LEARNER_FILES / file).first_failure.kind == kind, file


def test_returning_the_input_itself_fails_as_aliased():
    result = grade_file(EXERCISE, LEARNER_FILES / "returns_input_for_1x1.py")
    failed = [case for case in result.cases if not case.passed]
    assert [case.name for case in failed] == [
        f"{f}: 1x1 window, stride 1: the input itself" for f in ("max_pool2d", "avg_pool2d")
    ]
    assert all(case.kind == "aliased" and case.aliased == ["x"] for case in failed)
    assert "view of it" in failed[0].message["en"] and failed[0].message["zh"]


def test_dividing_the_input_in_place_fails_as_a_mutation():
    result = grade_file(EXERCISE, LEARNER_FILES / "in_place.py")
    mutated = [case for case in result.cases if case.kind == "mutated"]
    assert mutated and all(case.function == "avg_pool2d" and case.mutated == ["x"] for case in mutated)
    assert all(case.passed for case in result.cases if case.function == "max_pool2d")


def test_cli_grades_a_file_with_exit_codes():
    runner = CliRunner()
    passed = runner.invoke(app, ["exercise", "pooling", "--file", str(EXERCISE.solution_path), "--json"])
    assert passed.exit_code == 0, passed.output
    assert '"status": "passed"' in passed.output
    failed = runner.invoke(
        app, ["exercise", "pooling", "--file", str(LEARNER_FILES / "zero_padding_for_max.py"), "--lang", "en"]
    )
    assert failed.exit_code == 1 and "Pad with -inf" in failed.output
