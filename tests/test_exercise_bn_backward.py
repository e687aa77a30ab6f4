"""The bn_backward exercise: its cases hold PyTorch's contract, the reference solution passes, the template fails
cleanly, and every wrong implementation learners write is caught with its own diagnosis."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.compare import compare_value
from dlquiz.grading.grader import grade_file, grading_module, references
from exercise_checks import assert_diagnosed

LEARNER_FILES = Path(__file__).resolve().parent / "learner_files" / "bn_backward"
EXERCISE = load_exercise("bn_backward")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()
MISTAKES = {mistake.name: mistake for mistake in GRADING.MISTAKES}

# learner file -> (the diagnosis it must get, a phrase its English message must contain, kind of the first failure)
WRONG_FILES = {
    "statistics_as_constants.py": ("statistics_as_constants", "as constants", "wrong_values"),
    "no_variance_path.py": ("no_variance_path", "through the variance", "wrong_values"),
    "no_mean_path.py": ("no_mean_path", "through the mean", "wrong_values"),
    "unbiased_variance.py": ("unbiased_variance", "biased variance", "wrong_values"),
    "batch_axis_only.py": ("batch_axis_only", "axis 0 only", "wrong_values"),  # grad_x first; grad_gamma is (C, L)
    "count_is_batch_size.py": ("count_is_batch_size", "n = x.size // C", "wrong_values"),
    "no_eps.py": ("no_eps", "sqrt(var + eps)", "wrong_values"),
    "eps_outside_sqrt.py": ("eps_outside_sqrt", "outside the square root", "wrong_values"),
    "grad_gamma_uses_x.py": ("grad_gamma_uses_x", "x_hat, the normalised input", "wrong_values"),
    "grad_x_without_gamma.py": ("grad_x_without_gamma", "forgot gamma", "wrong_values"),
    "grad_beta_mean.py": ("grad_beta_mean", "its gradient is the sum", "wrong_values"),
    "gamma_beta_swapped.py": ("gamma_beta_swapped", "wrong order", "wrong_values"),
}


def _notes() -> str:
    """The author's notes (shared/seeds/DLNotes.txt in a folder above this checkout)."""
    for folder in Path(__file__).resolve().parents:
        seed = folder / "shared" / "seeds" / "DLNotes.txt"
        if seed.is_file():
            return seed.read_text(encoding="utf-8")
    pytest.skip("DLNotes.txt is not next to this checkout")


def _same(actual, expected) -> bool:
    return compare_value("batchnorm_backward", actual, expected, 1e-7, 1e-7).passed


def _run(implementation, case):
    return implementation(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))


def _named(name, expected):
    """The case called `name` and PyTorch's answer to it."""
    return next((case, value) for case, value in zip(CASES, expected, strict=True) if case.name == name)


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


# --- the folder and the cases --------------------------------------------------------------------------------------


def test_metadata():
    assert EXERCISE.functions == ("batchnorm_backward",) and EXERCISE.order == 32
    assert len(EXERCISE.hints) >= 3
    notes = _notes().splitlines()
    assert [line for line in EXERCISE.note.splitlines() if line not in notes] == []  # verbatim, line by line
    assert "model.eval()" in EXERCISE.note


def test_cases_hold_the_contract_and_cover_the_edges():
    assert len({case.name for case in CASES}) == len(CASES)
    for case in CASES:
        grad_out, x, gamma = case.args
        assert grad_out.shape == x.shape and gamma.shape == (x.shape[1],)
        assert all(a.dtype == np.float64 for a in case.args)
        assert x.size // x.shape[1] > 1, "PyTorch refuses one value per channel in training mode"
    shapes = [case.args[1].shape for case in CASES]
    assert {len(shape) for shape in shapes} == {2, 3, 4}
    assert any(s[0] == 1 for s in shapes) and any(len(s) == 3 and s[1] == s[2] for s in shapes)
    assert any(case.args[1].var(axis=0).max() < 1e-6 for case in CASES), "variance far below eps"
    assert any(case.kwargs for case in CASES) and any(not case.kwargs for case in CASES)


def test_pytorch_s_gradient_vanishes_for_a_constant_upstream_gradient(expected):
    _, (grad_x, grad_gamma, grad_beta) = _named("batchnorm_backward: constant grad_out (grad_x = 0)", expected)
    assert np.abs(grad_x).max() < 1e-12 and np.abs(grad_gamma).max() < 1e-12
    assert np.allclose(grad_beta, 3 * 2 * 2)  # sum of ones over N * H * W


def test_the_solution_matches_and_each_mistake_is_distinguishable(expected):
    solution = grade_file(EXERCISE, EXERCISE.solution_path)
    assert solution.status == "passed", solution.summary()
    for name, mistake in MISTAKES.items():
        others = [m for m in MISTAKES.values() if m is not mistake]
        distinct = [
            case.name
            for case, value in zip(CASES, expected, strict=True)
            if not _same(out := _run(mistake.implementation, case), value)
            and not any(_same(out, _run(m.implementation, case)) for m in others)
        ]
        assert distinct, f"{name} never differs from both PyTorch and every other mistake"


def test_mistake_messages_are_bilingual():
    assert 6 <= len(MISTAKES) <= 12
    for mistake in MISTAKES.values():
        assert mistake.message_en.strip() and any("\u4e00" <= ch <= "\u9fff" for ch in mistake.message_zh)


# --- graded end to end ---------------------------------------------------------------------------------------------


def test_a_step_by_step_backward_pass_passes():
    result = grade_file(EXERCISE, LEARNER_FILES / "staged.py")
    assert result.status == "passed", result.summary()


def test_every_mistake_has_a_learner_file():
    assert {name for name, _, _ in WRONG_FILES.values()} == set(MISTAKES)


@pytest.mark.parametrize("file", sorted(WRONG_FILES))
def test_a_wrong_implementation_gets_its_diagnosis(file):
    assert_diagnosed(EXERCISE, LEARNER_FILES / file, *WRONG_FILES[file])


def test_scaling_grad_out_in_place_fails_as_a_mutation():
    result = grade_file(EXERCISE, LEARNER_FILES / "in_place.py")
    assert result.status == "failed"
    assert all(case.kind == "mutated" and case.mutated == ["grad_out"] for case in result.cases)
    assert "`grad_out`" in result.first_failure.message["en"]


def test_cli_grades_a_file_with_exit_codes():
    runner = CliRunner()
    passed = runner.invoke(app, ["exercise", "bn_backward", "--file", str(EXERCISE.solution_path), "--json"])
    assert passed.exit_code == 0, passed.output
    assert '"status": "passed"' in passed.output
    failed = runner.invoke(
        app, ["exercise", "bn_backward", "--file", str(LEARNER_FILES / "no_mean_path.py"), "--lang", "en"]
    )
    assert failed.exit_code == 1 and "through the mean" in failed.output
