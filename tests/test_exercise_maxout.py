"""`maxout`: the maximum of K linear pieces against F.linear + torch.amax, and the axis mix-ups learners make."""

from __future__ import annotations

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

FILES = Path(__file__).parent / "learner_files" / "maxout"
EXERCISE = load_exercise("maxout")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()

# learner file -> (the diagnosis, words of its English message, the kind of the first failed case)
WRONG = {
    "max_over_samples.py": ("max_over_samples", "over the samples", "wrong_shape"),
    "max_over_units.py": ("max_over_units", "gives (N, K)", "wrong_shape"),
    "sum_over_pieces.py": ("sum_over_pieces", "added the pieces", "wrong_values"),
    "max_started_at_zero.py": ("max_started_at_zero", "starts at 0", "wrong_values"),
    "no_bias.py": ("no_bias", "bias is missing", "wrong_values"),
    "bias_against_samples.py": ("bias_against_samples", "bias[:, None, :]", "exception"),
    "weight_transposed.py": ("weight_transposed", "nn.Linear's weight", "exception"),
    "reshape_without_transpose.py": ("reshape_without_transpose", "re-cuts the memory", "wrong_values"),
    "max_of_parameters.py": ("max_of_parameters", "before multiplying", "wrong_values"),
    "argmax.py": ("argmax", "instead of the winning value", "wrong_dtype"),
}


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


def _case(name):
    return next(case for case in CASES if case.name == f"maxout: {name}")


def test_metadata_is_complete_and_bilingual():
    assert EXERCISE.functions == ("maxout",) and EXERCISE.order == 12
    assert len(EXERCISE.hints) >= 3 and all(set(hint) == {"zh", "en"} for hint in EXERCISE.hints)
    assert "Relu 作为Maxout的一种特例" in EXERCISE.note
    task = split_languages(EXERCISE.task_path.read_text(encoding="utf-8"))
    assert set(task) == {"zh", "en"} and all("maxout" in text for text in task.values())


def test_an_equivalent_formulation_passes():
    assert grade_file(EXERCISE, FILES / "equivalent.py").status == "passed"  # a loop of np.maximum over the pieces


@pytest.mark.parametrize("name", sorted(WRONG))
def test_each_mistake_gets_its_diagnosis(name):
    assert_diagnosed(EXERCISE, FILES / name, *WRONG[name])


def test_every_mistake_is_tested_with_a_learner_file():
    assert {mistake.name for mistake in GRADING.MISTAKES} == {entry[0] for entry in WRONG.values()}


@pytest.mark.parametrize(
    "name, case",
    [
        ("max_over_samples.py", "N == K (3 samples, 3 pieces)"),  # same shape, wrong values
        ("weight_transposed.py", "square pieces, D == M == K"),  # multiplies without an error
        ("bias_against_samples.py", "N == K (3 samples, 3 pieces)"),  # broadcasts without an error
        ("max_started_at_zero.py", "every piece negative"),
        ("no_bias.py", "x = 0: the largest bias wins"),
    ],
)
def test_shapes_chosen_to_expose_silent_mix_ups(name, case):
    result = grade_file(EXERCISE, FILES / name)
    failed = next(c for c in result.cases if c.name == f"maxout: {case}")
    assert failed.kind == "wrong_values" and failed.diagnosis == WRONG[name][0]


def test_float32_and_in_place():
    assert grade_file(EXERCISE, FILES / "float32.py").first_failure.kind == "wrong_dtype"
    failure = grade_file(EXERCISE, FILES / "in_place.py").first_failure
    assert failure.kind == "mutated" and failure.mutated == ["bias"]


def test_relu_is_the_special_case_the_notes_name(expected):
    case = _case("ReLU as maxout: pieces (W, b) and (0, 0)")
    x, weight, bias = case.args
    import torch

    relu = torch.relu(torch.from_numpy(x @ weight[0] + bias[0])).numpy()
    assert np.allclose(expected[CASES.index(case)], relu, rtol=1e-12, atol=0)
    assert (relu == 0).any() and (relu > 0).any()


def test_the_cases_separate_the_axes(expected):
    for case in CASES:
        x, weight, bias = case.args
        assert x.ndim == 2 and weight.ndim == 3 and bias.shape == (weight.shape[0], weight.shape[2])
        assert x.shape[1] == weight.shape[1]
    negative = _case("every piece negative")
    assert (expected[CASES.index(negative)] < 0).all()
    assert sum(case.args[0].shape[0] == 1 for case in CASES) >= 1  # N = 1


def test_cli_grades_the_solution_and_a_wrong_file():
    runner = CliRunner()
    passed = runner.invoke(app, ["exercise", "maxout", "--file", str(EXERCISE.solution_path), "--json"])
    assert passed.exit_code == 0, passed.output
    assert json.loads(passed.stdout)["status"] == "passed"
    failed = runner.invoke(app, ["exercise", "maxout", "--file", str(FILES / "no_bias.py"), "--json"])
    assert failed.exit_code == 1
    report = json.loads(failed.stdout)
    assert report["status"] == "failed" and [d["name"] for d in report["diagnoses"]] == ["no_bias"]
