"""The batchnorm exercise: its cases hold PyTorch's contract, the reference solution passes, the template fails
cleanly, and every wrong implementation learners write is caught with its own diagnosis."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from dlquiz.grading.catalog import load_exercise, split_languages
from dlquiz.grading.compare import compare_value, mistake_outcome
from dlquiz.grading.spec import Raises
from dlquiz.grading.grader import grade_file, grading_module, references

HERE = Path(__file__).resolve()
LEARNER_FILES = HERE.parent / "learner_files" / "batchnorm"
SEED_CANDIDATES = (
    HERE.parents[2] / "shared" / "seeds" / "DLNotes.txt",
    HERE.parents[1] / ".." / "shared" / "seeds" / "DLNotes.txt",
)

EXERCISE = load_exercise("batchnorm")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()
MISTAKES = {mistake.name: mistake for mistake in GRADING.MISTAKES}

# learner file -> (the diagnosis it must get, a phrase its English message must contain)
WRONG_FILES = {
    "biased_running_var.py": ("biased_running_var", "stores the unbiased one"),
    "unbiased_var_for_normalising.py": ("unbiased_var_for_normalising", "Normalise with the biased variance"),
    "eval_uses_batch_stats.py": ("eval_uses_batch_stats", "In eval mode"),
    "eval_normalises_with_batch_stats.py": ("eval_normalises_with_batch_stats", "In eval mode"),
    "momentum_reversed.py": ("momentum_reversed", "Momentum was applied the other way round"),
    "eps_outside_sqrt.py": ("eps_outside_sqrt", "eps was added outside the square root"),
    "wrong_axes_reshape.py": ("wrong_axes_reshape", "x.reshape(-1, C)"),
    "params_on_last_axis.py": ("params_on_last_axis", "broadcast over the last axis"),
    "running_stats_not_updated.py": ("running_stats_not_updated", "came back unchanged"),
    "one_pass_variance.py": ("one_pass_variance", "mean(x**2) - mean(x)**2"),
    "no_eps.py": ("no_eps", "eps is missing"),
    "axes_zero.py": ("statistics_over_axis_0", "axes = (0,) + tuple(range(2, x.ndim))"),
}


def _solution():
    spec = importlib.util.spec_from_file_location("batchnorm_solution", EXERCISE.solution_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _same(actual, expected) -> bool:
    return compare_value("batchnorm_forward", actual, expected, 1e-7, 1e-7).passed


def _outcome(mistake, case):
    """What the mistake gives for the case: its output, Raises when it raises, None when it does not apply."""
    return mistake_outcome(mistake, case)[0]


def _agree(first, second) -> bool:
    if isinstance(first, Raises) or isinstance(second, Raises):
        return isinstance(first, Raises) and isinstance(second, Raises) and first.exception is second.exception
    return _same(first, second)


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


# --- the folder ----------------------------------------------------------------------------------------------------


def test_metadata_is_complete_and_bilingual():
    assert EXERCISE.functions == ("batchnorm_forward",)
    assert EXERCISE.order == 30
    assert len(EXERCISE.hints) >= 3 and all(set(hint) == {"zh", "en"} for hint in EXERCISE.hints)
    task = split_languages(EXERCISE.task_path.read_text(encoding="utf-8"))
    assert set(task) == {"zh", "en"}
    assert all("batchnorm_forward" in text for text in task.values())


def test_note_is_verbatim_from_the_notes():
    seed = next((p for p in SEED_CANDIDATES if p.is_file()), None)
    if seed is None:
        pytest.skip("DLNotes.txt seed is not present")
    assert EXERCISE.note in seed.read_text(encoding="utf-8")
    assert "model.eval()" in EXERCISE.note


# --- the cases -----------------------------------------------------------------------------------------------------


def test_cases_are_named_uniquely_and_repeat_exactly():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    again = GRADING.cases()
    for first, second in zip(CASES, again, strict=True):
        assert first.name == second.name
        for a, b in zip(first.args, second.args, strict=True):
            assert np.array_equal(a, b)
        assert first.kwargs == second.kwargs


def test_cases_cover_the_edge_cases():
    shapes = {case.args[0].ndim for case in CASES}
    assert shapes == {2, 3, 4}
    training = [case for case in CASES if case.args[5]]
    evaluating = [case for case in CASES if not case.args[5]]
    assert training and evaluating
    assert any(case.args[0].shape[0] == 1 for case in training), "N=1 with a spatial size above 1"
    assert any(case.args[0].shape[0] == 1 for case in evaluating), "N=1 in eval mode"
    assert any(not case.args[0].any() for case in CASES), "all zeros"
    assert any(case.args[0].shape[0] != case.args[0].shape[1] for case in CASES), "N != C"
    assert any(case.args[0].var(axis=0).max() < 1e-6 for case in training), "variance far below eps"
    assert any(case.args[4].min() < 1e-6 for case in evaluating), "running_var far below eps"
    assert any("momentum" not in case.kwargs and "eps" not in case.kwargs for case in CASES), "the defaults"


def test_inputs_are_float64_and_training_never_has_one_value_per_channel():
    for case in CASES:
        x, gamma, beta, running_mean, running_var, training = case.args
        C = x.shape[1]
        assert x.dtype == np.float64 and all(
            a.dtype == np.float64 and a.shape == (C,) for a in (gamma, beta, running_mean, running_var)
        )
        assert isinstance(training, bool)
        if training:
            # PyTorch raises "Expected more than 1 value per channel when training" otherwise.
            assert x.size // C > 1, case.name


def test_reference_leaves_the_case_alone_and_eval_keeps_running_stats(expected):
    for case, (out, new_mean, new_var) in zip(CASES, expected, strict=False):
        x, _, _, running_mean, running_var, training = case.args
        fresh = next(c for c in GRADING.cases() if c.name == case.name)
        assert np.array_equal(running_mean, fresh.args[3]) and np.array_equal(running_var, fresh.args[4])
        assert out.shape == x.shape and out.dtype == np.float64 and np.isfinite(out).all()
        if not training:
            assert np.array_equal(new_mean, running_mean) and np.array_equal(new_var, running_var), case.name


def test_pytorch_stores_the_unbiased_variance(expected):
    case, (_, _, new_var) = next(
        (c, e) for c, e in zip(CASES, expected, strict=False) if c.name == "train (N, C): two samples, N=2"
    )
    x, _, _, _, running_var, _ = case.args
    momentum = case.kwargs["momentum"]
    assert np.allclose(new_var, (1 - momentum) * running_var + momentum * x.var(axis=0, ddof=1))


def test_the_solution_matches_the_reference_on_every_case(expected):
    solution = _solution()
    for case, value in zip(CASES, expected, strict=False):
        assert _same(solution.batchnorm_forward(*case.args, **case.kwargs), value), case.name


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_each_mistake_is_wrong_somewhere_and_distinguishable(name, expected):
    mistake = MISTAKES[name]
    others = [m for m in MISTAKES.values() if m is not mistake and m.function == mistake.function]
    distinct = []
    for case, value in zip(CASES, expected, strict=False):
        output = _outcome(mistake, case)
        if output is None or (not isinstance(output, Raises) and _same(output, value)):
            continue
        rival = [_outcome(m, case) for m in others]
        if not any(r is not None and _agree(output, r) for r in rival):
            distinct.append(case.name)
    assert distinct, f"{name} never differs from both PyTorch and every other mistake"


def test_every_mistake_has_a_learner_file():
    assert {diagnosis for diagnosis, _ in WRONG_FILES.values()} == set(MISTAKES)
    assert all((LEARNER_FILES / file).is_file() for file in WRONG_FILES)


def test_mistake_messages_are_bilingual():
    for mistake in MISTAKES.values():
        assert mistake.function == "batchnorm_forward"
        assert mistake.message_en.strip() and mistake.message_zh.strip()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in mistake.message_zh)


# --- graded end to end ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("file", sorted(WRONG_FILES))
def test_a_wrong_implementation_gets_its_diagnosis(file):
    name, phrase = WRONG_FILES[file]
    result = grade_file(EXERCISE, LEARNER_FILES / file)
    assert result.status == "failed", result.summary()
    assert [d.name for d in result.diagnoses] == [name]
    assert phrase in result.diagnoses[0].message["en"]
    assert result.diagnoses[0].message["zh"]


def test_updating_the_running_statistics_in_place_fails():
    result = grade_file(EXERCISE, LEARNER_FILES / "in_place_running_stats.py")
    assert result.status == "failed"
    mutated = [case for case in result.cases if case.kind == "mutated"]
    assert mutated and all(case.name.startswith("train") for case in mutated)
    assert all({"running_mean", "running_var"} <= set(case.mutated) for case in mutated)
    # Eval mode returns the caller's own running_mean and running_var: right values, but not copies.
    evaluation = [case for case in result.cases if not case.name.startswith("train")]
    assert evaluation and all(case.kind == "aliased" for case in evaluation)
    assert all(set(case.aliased) == {"running_mean", "running_var"} for case in evaluation)
