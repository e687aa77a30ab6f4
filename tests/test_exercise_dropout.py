"""`dropout`: F.dropout's own output and autograd gradient for the mask F.dropout drew, and the scaling and mode
mix-ups learners make."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.grading.catalog import load_exercise, split_languages
from dlquiz.grading.cases import grading_module, references
from dlquiz.grading.grader import grade_file
from exercise_checks import assert_diagnosed

FILES = Path(__file__).parent / "learner_files" / "dropout"
EXERCISE = load_exercise("dropout")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()

# learner file -> (the diagnosis, words of its English message, the kind of the first failed case)
WRONG = {
    "no_rescale.py": ("no_rescale", "not rescaled", "wrong_values"),
    "scaled_by_p.py": ("scaled_by_p", "probability of DROPPING", "wrong_values"),
    "multiplied_by_keep_prob.py": ("multiplied_by_keep_prob", "shrinks the output twice", "wrong_values"),
    "eval_scaled.py": ("eval_scaled", "original dropout paper", "wrong_values"),
    "eval_masked.py": ("eval_masked", "only acts in training", "wrong_values"),
    "mask_inverted.py": ("mask_inverted", "where keep is False", "wrong_values"),
    "p_one_nan.py": ("p_one_nan", "0 / 0", "not_finite"),
    "p_one_zero_division.py": ("p_one_zero_division", "np.zeros_like(x)", "exception"),
    "grad_no_rescale.py": ("grad_no_rescale", "masked but not rescaled", "wrong_values"),
    "grad_local_only.py": ("grad_local_only", "local derivative", "wrong_values"),
    "grad_masked_in_eval.py": ("grad_masked_in_eval", "passes through unchanged", "wrong_values"),
    "grad_scaled_by_keep_prob.py": ("grad_scaled_by_keep_prob", "multiplied by 1 - p", "wrong_values"),
}


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


def test_metadata_is_complete_and_bilingual():
    assert EXERCISE.functions == ("dropout", "dropout_grad") and EXERCISE.order == 15
    assert len(EXERCISE.hints) >= 3 and all(set(hint) == {"zh", "en"} for hint in EXERCISE.hints)
    assert "使用dropout可以解决这一情况" in EXERCISE.note
    task = split_languages(EXERCISE.task_path.read_text(encoding="utf-8"))
    assert set(task) == {"zh", "en"} and all("dropout_grad" in text for text in task.values())


def test_an_equivalent_formulation_passes():
    # np.where with a precomputed scale; the gradient as dropout applied to grad_out (the map is linear)
    assert grade_file(EXERCISE, FILES / "equivalent.py").status == "passed"


@pytest.mark.parametrize("name", sorted(WRONG))
def test_each_mistake_gets_its_diagnosis(name):
    assert_diagnosed(EXERCISE, FILES / name, *WRONG[name])


def test_every_mistake_is_tested_with_a_learner_file():
    assert {mistake.name for mistake in GRADING.MISTAKES} == {entry[0] for entry in WRONG.values()}


def test_returning_x_itself_in_evaluation_fails_as_aliased():
    result = grade_file(EXERCISE, FILES / "eval_returns_input.py")
    failed = [case for case in result.cases if not case.passed]
    assert failed and all(case.kind == "aliased" and case.aliased == ["x"] for case in failed)
    assert {case.name for case in failed} == {c.name for c in CASES if c.function == "dropout" and not c.args[2]}


def test_scaling_x_in_place_fails_as_a_mutation():
    result = grade_file(EXERCISE, FILES / "in_place.py")
    mutated = [case for case in result.cases if case.kind == "mutated"]
    assert mutated and all(case.mutated == ["x"] for case in mutated)
    assert all(case.args[2] and case.args[1] < 1 for case in (c.case for c in mutated))  # training, p < 1


def test_a_mask_of_its_own_fails():
    result = grade_file(EXERCISE, FILES / "own_random_mask.py")
    assert result.status == "failed" and result.first_failure.kind == "wrong_values"


# --- the cases and references are PyTorch's ------------------------------------------------------------------------


def test_masks_are_the_ones_f_dropout_draws(expected):
    for case, value in zip(CASES, expected, strict=True):
        if case.function != "dropout" or not case.args[2]:
            continue
        x, p, _, keep = case.args
        assert keep.dtype == np.bool_ and keep.shape == x.shape
        # F.dropout's output is 0 exactly where the mask drops (x has no zeros), and x / (1 - p) where it keeps
        assert np.array_equal(value != 0, keep if p < 1 else np.zeros_like(keep))
    train = [case for case in CASES if case.function == "dropout" and case.args[2] and 0 < case.args[1] < 1]
    dropped = np.concatenate([~case.args[3].ravel() for case in train]).mean()
    mean_p = np.average([case.args[1] for case in train], weights=[case.args[0].size for case in train])
    assert abs(dropped - mean_p) < 0.15  # the masks drop about a share p of the units


def test_a_mask_pytorch_would_not_draw_is_refused():
    case = next(case for case in CASES if case.function == "dropout" and case.args[2] and 0 < case.args[1] < 1)
    x, p, training, keep = case.args
    tampered = dataclasses.replace(case, args=(x, p, training, ~keep))
    with pytest.raises(RuntimeError, match="not the one F.dropout draws"):
        GRADING.reference(tampered)


def test_the_cases_cover_the_edges():
    ps = {case.args[1] if case.function == "dropout" else case.args[2] for case in CASES}
    assert {0.0, 1.0} <= ps and len(ps - {0.0, 0.5, 1.0}) >= 5
    for function in ("dropout", "dropout_grad"):
        modes = {case.args[2] if function == "dropout" else case.args[3] for case in CASES if case.function == function}
        assert modes == {True, False}
    assert any(case.args[0].ndim == 4 for case in CASES) and any(case.args[0].shape[0] == 1 for case in CASES)


def test_cli_grades_the_solution_and_a_wrong_file():
    runner = CliRunner()
    passed = runner.invoke(app, ["exercise", "dropout", "--file", str(EXERCISE.solution_path), "--json"])
    assert passed.exit_code == 0, passed.output
    assert json.loads(passed.stdout)["status"] == "passed"
    failed = runner.invoke(app, ["exercise", "dropout", "--file", str(FILES / "eval_scaled.py"), "--json"])
    assert failed.exit_code == 1
    report = json.loads(failed.stdout)
    assert report["status"] == "failed" and [d["name"] for d in report["diagnoses"]] == ["eval_scaled"]
