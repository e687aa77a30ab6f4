"""`rnn`: a tanh RNN layer against nn.RNN(batch_first=True) with the same weights; every mistake is diagnosed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from exercise_checks import (
    assert_diagnosed,
    assert_mistakes_are_told_apart,
    assert_note_is_verbatim,
    cli_grade,
    same,
    solution_module,
)

from dlquiz.grading.catalog import load_exercise, split_languages
from dlquiz.grading.grader import grade_file, grading_module, references

FILES = Path(__file__).parent / "learner_files" / "rnn"
FUNCTION = "rnn_forward"
EXERCISE = load_exercise("rnn")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


def _sizes(case):
    x, h0 = case.args[0], case.args[1]
    N, L, I = x.shape
    return N, L, I, h0.shape[1]


# --- the folder and the cases --------------------------------------------------------------------------------------


def test_metadata_task_and_note():
    assert EXERCISE.functions == (FUNCTION,) and EXERCISE.order == 46
    assert len(EXERCISE.hints) >= 3 and all(set(hint) == {"zh", "en"} for hint in EXERCISE.hints)
    task = split_languages(EXERCISE.task_path.read_text(encoding="utf-8"))
    assert set(task) == {"zh", "en"} and all(FUNCTION in text and "batch_first" in text for text in task.values())
    assert_note_is_verbatim(EXERCISE, "RNN(recurrent neural networks)-> 循环神经网络")


def test_cases_repeat_exactly_and_cover_the_edges():
    again = GRADING.cases()
    assert [c.name for c in CASES] == [c.name for c in again] and len({c.name for c in CASES}) == len(CASES)
    for first, second in zip(CASES, again, strict=False):
        assert all(np.array_equal(a, b) for a, b in zip(first.args, second.args, strict=False))
    sizes = [_sizes(case) for case in CASES]
    assert all(I != H for _, _, I, H in sizes), "a missing transpose must show as a shape error or wrong values"
    assert any(N == 1 for N, _, _, _ in sizes) and any(L == 1 for _, L, _, _ in sizes)
    assert any(N == L > 1 for N, L, _, _ in sizes)
    assert any(not case.args[1].any() for case in CASES) and any(not case.args[4].any() for case in CASES)
    assert any(not case.args[5].any() for case in CASES)
    assert any(np.abs(case.args[0]).max() > 20 for case in CASES), "inputs that saturate tanh"
    assert all(a.dtype == np.float64 for case in CASES for a in case.args)
    shapes_fit = [
        case.args[2].shape == (H, I) and case.args[3].shape == (H, H) and case.args[4].shape == (H,)
        for case, (_, _, I, H) in zip(CASES, sizes, strict=False)
    ]
    assert all(shapes_fit)


def test_references_are_nn_rnn_outputs(expected):
    """Shapes, h_n == output[:, -1], and the first step against the formula written out (the reference itself is
    nn.RNN's output, never this formula)."""
    for case, (output, h_n) in zip(CASES, expected, strict=False):
        N, L, _, H = _sizes(case)
        x, h0, w_ih, w_hh, b_ih, b_hh = case.args
        assert output.shape == (N, L, H) and h_n.shape == (N, H) and output.dtype == h_n.dtype == np.float64
        assert np.array_equal(h_n, output[:, -1]), case.name
        assert np.allclose(output[:, 0], np.tanh(x[:, 0] @ w_ih.T + b_ih + h0 @ w_hh.T + b_hh)), case.name


def test_the_solution_matches_on_every_case(expected):
    solution = solution_module(EXERCISE)
    for case, value in zip(CASES, expected, strict=False):
        assert same(FUNCTION, solution.rnn_forward(*case.args), value), case.name


def test_mistakes_are_wrong_and_told_apart(expected):
    assert 6 <= len(GRADING.MISTAKES) <= 12
    assert_mistakes_are_told_apart(GRADING.MISTAKES, CASES, expected)


# --- graded end to end ---------------------------------------------------------------------------------------------


def test_concatenated_weights_are_an_equivalent_solution():
    assert grade_file(EXERCISE, FILES / "concatenated_weights.py").status == "passed"


# (learner file, diagnosis, words of its English message, a case that must fail, and how)
WRONG = [
    (
        "time_major.py",
        "time_major",
        "axis 0, the batch",
        "rnn: N == L: time-major mix-ups keep the shape",
        "wrong_values",
    ),
    ("output_time_major.py", "output_time_major", "axis=1", "rnn: one sequence (N=1)", "wrong_shape"),
    (
        "h_n_last_sample.py",
        "h_n_last_sample",
        "output[:, -1]",
        "rnn: N == L: time-major mix-ups keep the shape",
        "wrong_values",
    ),
    ("w_hh_not_transposed.py", "w_hh_not_transposed", "h @ w_hh.T", "rnn: N=2, L=5, I=3, H=4", "wrong_values"),
    ("missing_b_hh.py", "missing_b_hh", "two biases", "rnn: b_ih = 0, only b_hh", "wrong_values"),
    ("ignores_h0.py", "ignores_h0", "zeros instead of h0", "rnn: one step (L=1)", "wrong_values"),
    ("h_not_carried.py", "h_not_carried", "never saw each other", "rnn: a long sequence (L=12)", "wrong_values"),
    ("output_lags_one_step.py", "output_lags_one_step", "before step t", "rnn: one step (L=1)", "wrong_values"),
    ("relu_not_tanh.py", "relu_not_tanh", "nonlinearity='tanh'", "rnn: large inputs saturate tanh", "wrong_values"),
    ("no_activation.py", "no_activation", "np.tanh", "rnn: all-negative inputs", "wrong_values"),
]


@pytest.mark.parametrize("file, mistake, words, case_name, kind", WRONG, ids=[w[0] for w in WRONG])
def test_each_wrong_implementation_gets_its_diagnosis(file, mistake, words, case_name, kind):
    assert_diagnosed(EXERCISE, FILES / file, mistake, words, kind, case_name)


def test_every_mistake_has_a_learner_file():
    assert {w[1] for w in WRONG} == {m.name for m in GRADING.MISTAKES}


def test_using_h0_as_a_buffer_fails_as_mutated():
    result = grade_file(EXERCISE, FILES / "updates_h0_in_place.py")
    assert result.status == "failed"
    assert all(c.kind == "mutated" and c.mutated == ["h0"] for c in result.cases)


def test_the_cli_grades_a_file_with_exit_codes():
    code, report = cli_grade("rnn", EXERCISE.solution_path)
    assert code == 0 and report["status"] == "passed"
    code, report = cli_grade("rnn", FILES / "missing_b_hh.py")
    assert code == 1 and [d["name"] for d in report["diagnoses"]] == ["missing_b_hh"]
