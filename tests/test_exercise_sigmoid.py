"""`sigmoid`: torch.sigmoid, its autograd gradient and autograd through a chain of sigmoids; overflow that numpy
warns about fails a case even when the values come out right; every known mistake gets its diagnosis."""

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

FILES = Path(__file__).parent / "learner_files" / "sigmoid"
EXERCISE = load_exercise("sigmoid")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()

# learner file -> (the diagnosis, words of its English message, the kind of the first failed case)
WRONG = {
    "naive.py": ("naive_exp_overflow", "1 / inf happens to be 0", "numeric_warning"),
    "where_both_branches.py": ("where_both_branches", "computes BOTH branches", "numeric_warning"),
    "exp_ratio.py": ("exp_ratio_nan", "inf / inf is NaN", "not_finite"),
    "sign_flipped.py": ("sign_flipped", "sigma(-x)", "wrong_values"),
    "tanh_not_halved.py": ("tanh_not_halved", "tanh(x / 2)", "wrong_values"),
    "math_exp_loop.py": ("math_exp_overflow", "OverflowError", "exception"),
    "grad_formula_on_x.py": ("grad_formula_on_x", "OUTPUT a = sigma(x)", "wrong_values"),
    "grad_is_sigmoid.py": ("grad_is_sigmoid", "not its own derivative", "wrong_values"),
    "grad_tanh_formula.py": ("grad_tanh_formula", "tanh's rule", "wrong_values"),
    "grad_naive_exp.py": ("grad_naive_exp", "inf / inf = NaN", "not_finite"),
    "chain_without_weights.py": ("chain_without_weights", "w_i * sigma'(z_i)", "wrong_values"),
    "chain_derivative_at_input.py": ("chain_derivative_at_input", "pre-activation z_i", "wrong_values"),
    "chain_previous_activation.py": ("chain_previous_activation", "one layer off", "wrong_values"),
    "chain_sum_not_product.py": ("chain_sum_not_product", "multiply", "wrong_values"),
    "chain_product_starts_at_zero.py": ("chain_product_starts_at_zero", "started at 0", "wrong_values"),
    "chain_returns_activation.py": ("chain_returns_activation", "returns a_L", "wrong_values"),
}


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


def test_metadata_is_complete_and_bilingual():
    assert EXERCISE.functions == ("sigmoid", "sigmoid_grad", "chain_gradient")
    assert EXERCISE.order == 5
    assert len(EXERCISE.hints) >= 3 and all(set(hint) == {"zh", "en"} for hint in EXERCISE.hints)
    assert "Vanishing gradient problem" in EXERCISE.note
    task = split_languages(EXERCISE.task_path.read_text(encoding="utf-8"))
    assert set(task) == {"zh", "en"} and all("chain_gradient" in text for text in task.values())


def test_an_equivalent_formulation_passes():
    # (1 + tanh(x/2)) / 2, sigma(x) * sigma(-x) through logaddexp, and a backward pass over stored activations
    assert grade_file(EXERCISE, FILES / "equivalent.py").status == "passed"


@pytest.mark.parametrize("name", sorted(WRONG))
def test_each_mistake_gets_its_diagnosis(name):
    assert_diagnosed(EXERCISE, FILES / name, *WRONG[name])


def test_every_mistake_is_tested_with_a_learner_file():
    assert {mistake.name for mistake in GRADING.MISTAKES} == {entry[0] for entry in WRONG.values()}


def test_overflow_fails_only_where_exp_overflows():
    result = grade_file(EXERCISE, FILES / "naive.py")
    failed = {case.name for case in result.cases if not case.passed}
    # 1 / (1 + exp(-x)) overflows only for large negative x (in sigmoid, and in sigmoid_grad, which calls it)
    assert failed == {
        f"{function}: {name}"
        for function in ("sigmoid", "sigmoid_grad")
        for name in ("|x| up to 1e4 (exp overflows)", "large negative only")
    }
    case = result.first_failure
    assert case.max_abs < 1e-15 and "'overflow encountered in exp' (line 7 of your file)" in case.message["en"]


def test_np_where_overflows_on_both_sides():
    result = grade_file(EXERCISE, FILES / "where_both_branches.py")
    positive = next(case for case in result.cases if case.name == "sigmoid: large positive only")
    assert positive.kind == "numeric_warning" and positive.diagnosis == "where_both_branches"


def test_writing_into_x_fails_as_a_mutation():
    result = grade_file(EXERCISE, FILES / "in_place.py")
    failed = [case for case in result.cases if not case.passed]
    assert failed and all(case.kind == "mutated" and case.mutated == ["x"] for case in failed)
    assert {case.function for case in failed} == {"sigmoid"}


def test_a_gradient_returned_as_an_array_is_the_wrong_type():
    failure = grade_file(EXERCISE, FILES / "chain_returns_array.py").first_failure
    assert failure.kind == "wrong_type" and "expected a float" in failure.message["en"]


# --- the cases hold what the exercise promises ---------------------------------------------------------------------


def test_cases_reach_overflow_and_are_compared_relatively_for_tiny_gradients(expected):
    sigmoid_inputs = np.concatenate([case.args[0].ravel() for case in CASES if case.function == "sigmoid"])
    assert sigmoid_inputs.min() == -1e4 and sigmoid_inputs.max() == 1e4
    chains = [(case, value) for case, value in zip(CASES, expected, strict=True) if case.function == "chain_gradient"]
    assert all(case.atol == 0.0 for case, _ in chains)
    assert any(0 < abs(value) < 1e-7 for _, value in chains), "a vanishing gradient that atol 1e-7 would hide"
    assert any(len(case.args[1]) == 0 for case, _ in chains) and any(value == 0.0 for _, value in chains)
    for case, _ in chains:  # |z| <= 12, where sigma(z) * (1 - sigma(z)) keeps its relative precision
        a, weights = case.args
        for w in weights:
            assert abs(w * a) <= 12.0
            a = 1.0 / (1.0 + np.exp(-w * a))


def test_references_are_pytorchs_and_the_vanishing_is_real(expected):
    import torch

    by_name = dict(zip((case.name for case in CASES), expected, strict=True))
    assert by_name["chain_gradient: no layers (L=0): a_L is x"] == 1.0
    assert by_name["chain_gradient: a zero weight stops the gradient"] == 0.0
    vanishing = by_name["chain_gradient: ten layers of weight 1 (vanishing)"]
    assert 0 < vanishing < 0.25**10 * 2  # each layer contributes at most 1/4
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    layer = x
    for _ in range(10):
        layer = torch.nn.Sigmoid()(layer)  # the module form agrees with the functional reference
    layer.backward()
    assert x.grad.item() == pytest.approx(vanishing, rel=1e-12)


def test_cli_grades_the_solution_and_a_wrong_file():
    runner = CliRunner()
    passed = runner.invoke(app, ["exercise", "sigmoid", "--file", str(EXERCISE.solution_path), "--json"])
    assert passed.exit_code == 0, passed.output
    assert json.loads(passed.stdout)["status"] == "passed"
    failed = runner.invoke(app, ["exercise", "sigmoid", "--file", str(FILES / "naive.py"), "--json"])
    assert failed.exit_code == 1
    report = json.loads(failed.stdout)
    assert report["status"] == "failed" and [d["name"] for d in report["diagnoses"]] == ["naive_exp_overflow"]
