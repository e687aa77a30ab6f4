"""`embedding`: the lookup against F.embedding and its gradient against autograd; every mistake is diagnosed."""

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
from dlquiz.grading.spec import Raises

FILES = Path(__file__).parent / "learner_files" / "embedding"
LOOKUP, GRAD = "embedding", "embedding_grad"
EXERCISE = load_exercise("embedding")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


# --- the folder and the cases --------------------------------------------------------------------------------------


def test_metadata_task_and_note():
    assert EXERCISE.functions == (LOOKUP, GRAD) and EXERCISE.order == 44
    assert len(EXERCISE.hints) >= 3 and all(set(hint) == {"zh", "en"} for hint in EXERCISE.hints)
    task = split_languages(EXERCISE.task_path.read_text(encoding="utf-8"))
    assert set(task) == {"zh", "en"}
    assert all(LOOKUP in text and GRAD in text and "IndexError" in text for text in task.values())
    assert_note_is_verbatim(EXERCISE, "Embedding: 一种将离散变量转变为连续向量的方式")


def test_cases_repeat_exactly_and_cover_the_edges():
    again = GRADING.cases()
    assert [c.name for c in CASES] == [c.name for c in again] and len({c.name for c in CASES}) == len(CASES)
    for first, second in zip(CASES, again, strict=False):
        assert all(np.array_equal(a, b) for a, b in zip(first.args, second.args, strict=False))
    lookups = [c for c in CASES if c.function == LOOKUP]
    grads = [c for c in CASES if c.function == GRAD]
    assert {c.args[0].ndim for c in lookups} >= {0, 1, 2, 3} and {c.args[0].ndim for c in grads} >= {0, 1, 2, 3}
    assert all(c.args[0].dtype == np.int64 for c in CASES)
    assert any(
        c.args[1].shape[0] != c.args[1].shape[1] and c.args[0].size > len(np.unique(c.args[0])) for c in lookups
    ), "repeated indices with V != D"
    assert any((c.args[0] < 0).any() for c in lookups) and any((c.args[0] >= c.args[1].shape[0]).any() for c in lookups)
    assert any(c.args[0].size > len(np.unique(c.args[0])) and "padding_idx" not in c.kwargs for c in grads)
    assert {c.kwargs.get("padding_idx") for c in grads} >= {None, 0, -1}


def test_references_follow_pytorch_contract(expected):
    for case, value in zip(CASES, expected, strict=False):
        indices = case.args[0]
        if case.function == LOOKUP:
            V, D = case.args[1].shape
            if ((indices < 0) | (indices >= V)).any():
                assert isinstance(value, Raises) and value.exception is IndexError, case.name
            else:
                assert value.shape == indices.shape + (D,) and value.dtype == np.float64, case.name
        else:
            assert value.shape == (case.args[2], case.args[1].shape[-1]) and value.dtype == np.float64, case.name
            if case.kwargs.get("padding_idx") is not None:
                assert not value[case.kwargs["padding_idx"]].any(), case.name


def test_the_gradient_sums_repeated_indices(expected):
    """What autograd says, checked by hand on the first repeated-index case: row 1 occurs three times."""
    case, value = next(
        (c, v) for c, v in zip(CASES, expected, strict=False) if c.name == "embedding_grad: 1-d indices with repeats"
    )
    indices, grad_output, _ = case.args
    assert np.allclose(value[1], grad_output[indices == 1].sum(axis=0)) and (indices == 1).sum() == 3


def test_the_solution_matches_on_every_case(expected):
    solution = solution_module(EXERCISE)
    for case, value in zip(CASES, expected, strict=False):
        try:
            outcome = getattr(solution, case.function)(*case.args, **case.kwargs)
        except IndexError as error:
            outcome = Raises(IndexError, str(error))
        assert same(case.function, outcome, value), case.name


def test_mistakes_are_wrong_and_told_apart(expected):
    assert 6 <= len(GRADING.MISTAKES) <= 14
    assert_mistakes_are_told_apart(GRADING.MISTAKES, CASES, expected)


# --- graded end to end ---------------------------------------------------------------------------------------------


def test_one_hot_products_are_an_equivalent_solution():
    assert grade_file(EXERCISE, FILES / "one_hot.py").status == "passed"


# (learner file, diagnosis, words of its English message, a case that must fail, and how)
WRONG = [
    (
        "negative_wraps.py",
        "negative_indices_wrap",
        "counts weight[-1] from the end",
        "embedding: negative index is out of range",
        "expected_error",
    ),
    (
        "rows_and_columns_swapped.py",
        "rows_and_columns_swapped",
        "column i",
        "embedding: square table (V == D)",
        "wrong_values",
    ),
    ("flattened.py", "flattened", "indices.shape + (D,)", "embedding: one index, 0-d (shape ())", "wrong_shape"),
    (
        "bag_mean.py",
        "bag_mean",
        "nn.EmbeddingBag (mode='mean')",
        "embedding: (N, L) batch of sequences, N != L",
        "wrong_shape",
    ),
    ("bag_sum.py", "bag_sum", "mode='sum'", "embedding: 1-d indices with repeats, V != D", "wrong_shape"),
    ("scaled_by_sqrt_d.py", "scaled_by_sqrt_d", "sqrt(d_model)", "embedding: (N, L, K) 3-d indices", "wrong_values"),
    ("one_based.py", "one_based", "row i - 1", "embedding: first and last rows (0 and V-1)", "wrong_values"),
    ("repeats_lost.py", "repeats_lost", "np.add.at", "embedding_grad: one index repeated everywhere", "wrong_values"),
    (
        "repeats_averaged.py",
        "repeats_averaged",
        "scale_grad_by_freq",
        "embedding_grad: 1-d indices with repeats",
        "wrong_values",
    ),
    (
        "padding_not_zeroed.py",
        "padding_not_zeroed",
        "grad[padding_idx] = 0",
        "embedding_grad: (N, L, K) with padding_idx=-1 (the last row)",
        "wrong_values",
    ),
    (
        "padding_zero_is_falsy.py",
        "padding_zero_is_falsy",
        "`if padding_idx:`",
        "embedding_grad: (N, L) with padding_idx=0 among repeats",
        "wrong_values",
    ),
    (
        "padding_none_zeroes_everything.py",
        "padding_none_zeroes_everything",
        "grad[np.newaxis]",
        "embedding_grad: 1-d indices with repeats",
        "wrong_values",
    ),
    ("integer_grad.py", "integer_grad", "truncated", "embedding_grad: 1-d indices with repeats", "wrong_dtype"),
]


@pytest.mark.parametrize("file, mistake, words, case_name, kind", WRONG, ids=[w[0] for w in WRONG])
def test_each_wrong_implementation_gets_its_diagnosis(file, mistake, words, case_name, kind):
    assert_diagnosed(EXERCISE, FILES / file, mistake, words, kind, case_name)


def test_every_mistake_has_a_learner_file():
    assert {w[1] for w in WRONG} == {m.name for m in GRADING.MISTAKES}


def test_a_view_of_weight_for_one_index_fails_as_aliased():
    result = grade_file(EXERCISE, FILES / "view_for_one_index.py")
    failed = [c for c in result.cases if not c.passed]
    assert failed and all(c.kind == "aliased" and c.aliased == ["weight"] and c.case.args[0].ndim == 0 for c in failed)
    assert "embedding: one index, 0-d (shape ())" in {c.name for c in failed}


def test_zeroing_grad_output_in_place_fails_as_mutated():
    result = grade_file(EXERCISE, FILES / "padding_in_place.py")
    failed = [c for c in result.cases if not c.passed]
    assert failed and all(c.kind == "mutated" and c.mutated == ["grad_output"] for c in failed)
    assert all(c.case.kwargs.get("padding_idx") is not None for c in failed)


def test_the_cli_grades_a_file_with_exit_codes():
    code, report = cli_grade("embedding", EXERCISE.solution_path)
    assert code == 0 and report["status"] == "passed"
    code, report = cli_grade("embedding", FILES / "repeats_lost.py")
    assert code == 1 and report["status"] == "failed"
    assert [d["name"] for d in report["diagnoses"]] == ["repeats_lost"]
