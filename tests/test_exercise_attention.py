"""The attention exercise: its cases hold PyTorch's contract, the reference solution passes, the template fails
cleanly, and every wrong implementation learners write is caught with its own diagnosis."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from dlquiz.grading.catalog import load_exercise, split_languages
from dlquiz.grading.compare import compare_value, mistake_outcome
from dlquiz.grading.grader import grade_file, grading_module, references
from dlquiz.grading.spec import Raises

HERE = Path(__file__).resolve()
LEARNER_FILES = HERE.parent / "learner_files" / "attention"
SEED_CANDIDATES = (
    HERE.parents[2] / "shared" / "seeds" / "DLNotes.txt",
    HERE.parents[1] / ".." / "shared" / "seeds" / "DLNotes.txt",
)
SDPA, MHA = "scaled_dot_product_attention", "multi_head_self_attention"

EXERCISE = load_exercise("attention")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()
MISTAKES = {mistake.name: mistake for mistake in GRADING.MISTAKES}

# learner file -> (the diagnosis it must get, a phrase its English message must contain). A mistake inside the
# attention step also breaks multi-head attention, which calls it: there it is diagnosed as "<name>_in_mha".
WRONG_FILES = {
    "no_scaling.py": ("no_scaling", "were not scaled"),
    "scaled_by_value_dim.py": ("scaled_by_value_dim", "value dimension Ev"),
    "scaled_by_dim_not_sqrt.py": ("scaled_by_dim_not_sqrt", "divided by E instead of sqrt(E)"),
    "softmax_wrong_axis.py": ("softmax_wrong_axis", "softmax ran over the wrong axis"),
    "inverted_mask.py": ("inverted_mask", "wrong way round"),
    "naive_softmax.py": ("naive_softmax", "overflowed"),
    "global_max_softmax.py": ("global_max_softmax", "whole array"),
    "mask_after_softmax.py": ("mask_after_softmax", "after the softmax"),
    "heads_reshape_without_transpose.py": ("heads_reshape_without_transpose", "reshape alone"),
    "heads_not_transposed.py": ("heads_not_transposed", "not transposed to (N, nh, L, hs)"),
    "heads_merged_without_transpose.py": ("heads_merged_without_transpose", "merged with reshape alone"),
    "heads_split_wrong_dimension.py": ("heads_split_wrong_dimension", "wrong dimension"),
    "scaled_by_model_dim.py": ("scaled_by_model_dim", "sqrt(hs)"),
    "no_out_projection.py": ("no_out_projection", "output projection is missing"),
    "weights_not_transposed.py": ("weights_not_transposed", "x @ W.T"),
}
ATTENTION_STEP = {
    "no_scaling",
    "scaled_by_value_dim",
    "scaled_by_dim_not_sqrt",
    "softmax_wrong_axis",
    "inverted_mask",
    "naive_softmax",
    "global_max_softmax",
    "mask_after_softmax",
}


def _solution():
    spec = importlib.util.spec_from_file_location("attention_solution", EXERCISE.solution_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _same(function, actual, expected) -> bool:
    return compare_value(function, actual, expected, 1e-7, 1e-7).passed


def _agree(function, first, second) -> bool:
    if isinstance(first, Raises) or isinstance(second, Raises):
        return isinstance(first, Raises) and isinstance(second, Raises) and first.exception is second.exception
    return _same(function, first, second)


def _scores(case):
    q, k = case.args[0], case.args[1]
    return q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


# --- the folder ----------------------------------------------------------------------------------------------------


def test_metadata_is_complete_and_bilingual():
    assert EXERCISE.functions == (SDPA, MHA)
    assert EXERCISE.order == 50
    assert len(EXERCISE.hints) >= 3 and all(set(hint) == {"zh", "en"} for hint in EXERCISE.hints)
    task = split_languages(EXERCISE.task_path.read_text(encoding="utf-8"))
    assert set(task) == {"zh", "en"}
    assert all(SDPA in text and MHA in text for text in task.values())


def test_note_is_verbatim_from_the_notes():
    seed = next((p for p in SEED_CANDIDATES if p.is_file()), None)
    if seed is None:
        pytest.skip("DLNotes.txt seed is not present")
    assert EXERCISE.note in seed.read_text(encoding="utf-8")
    assert "带权求和" in EXERCISE.note and "Multi-headed Self-attention" in EXERCISE.note


# --- the cases -----------------------------------------------------------------------------------------------------


def test_cases_are_named_uniquely_and_repeat_exactly():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    for first, second in zip(CASES, GRADING.cases(), strict=True):
        assert first.name == second.name and first.function == second.function
        for a, b in zip(first.args, second.args, strict=True):
            assert np.array_equal(a, b)
        assert first.kwargs.keys() == second.kwargs.keys()
        assert all(np.array_equal(first.kwargs[key], second.kwargs[key]) for key in first.kwargs)


def test_cases_cover_the_edge_cases():
    sdpa = [case for case in CASES if case.function == SDPA]
    mha = [case for case in CASES if case.function == MHA]
    assert any(case.args[0].ndim == 2 for case in sdpa), "a plain (L, E) input"
    assert any(case.args[0].ndim == 4 for case in sdpa), "a (B, H) batch"
    assert any(case.args[0].shape[-2] != case.args[1].shape[-2] for case in sdpa), "L != S"
    assert any(case.args[0].shape[-1] != case.args[2].shape[-1] for case in sdpa), "E != Ev"
    assert any(
        case.kwargs.get("mask") is not None and case.kwargs["mask"].ndim == 2 and case.args[0].ndim > 2 for case in sdpa
    ), "an (L, S) mask broadcast over the batch"
    assert any(not case.args[0].any() for case in sdpa), "all zeros"
    with np.errstate(over="ignore"):
        assert any(np.isinf(np.exp(_scores(case))).any() for case in sdpa), "a naive exp overflows"
    assert any(case.args[0].shape[0] == 1 for case in mha), "N=1"
    assert any(case.args[5] == 1 for case in mha) and any(case.args[5] > 2 for case in mha), "1 and many heads"
    assert any("mask" in case.kwargs for case in mha)


def test_inputs_are_float64_and_no_query_is_fully_masked():
    for case in CASES:
        arrays = case.args if case.function == SDPA else case.args[:5]
        assert all(a.dtype == np.float64 for a in arrays), case.name
        mask = case.kwargs.get("mask")
        if mask is None:
            continue
        assert mask.dtype == np.bool_
        if case.function == SDPA:
            L, S = case.args[0].shape[-2], case.args[1].shape[-2]
            full = np.broadcast_to(mask, np.broadcast_shapes(mask.shape, case.args[0].shape[:-2] + (L, S)))
        else:
            L = case.args[0].shape[1]
            assert mask.shape == (L, L)
            full = mask
        assert full.any(axis=-1).all(), case.name


def test_multi_head_cases_have_heads_that_divide_the_width():
    for case in CASES:
        if case.function == MHA:
            x, in_w, in_b, out_w, out_b, num_heads = case.args
            E = x.shape[-1]
            assert E % num_heads == 0
            assert in_w.shape == (3 * E, E) and in_b.shape == (3 * E,)
            assert out_w.shape == (E, E) and out_b.shape == (E,)


def test_references_are_finite_and_shaped(expected):
    for case, value in zip(CASES, expected, strict=False):
        if case.function == SDPA:
            q, v = case.args[0], case.args[2]
            shape = np.broadcast_shapes(q.shape[:-2], v.shape[:-2]) + (q.shape[-2], v.shape[-1])
        else:
            shape = case.args[0].shape
        assert value.shape == shape and value.dtype == np.float64 and np.isfinite(value).all(), case.name


def test_the_solution_matches_the_reference_on_every_case(expected):
    solution = _solution()
    for case, value in zip(CASES, expected, strict=False):
        assert _same(case.function, getattr(solution, case.function)(*case.args, **case.kwargs), value), case.name


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_each_mistake_is_wrong_somewhere_and_distinguishable(name, expected):
    mistake = MISTAKES[name]
    others = [m for m in MISTAKES.values() if m is not mistake and m.function == mistake.function]
    distinct = []
    for case, value in zip(CASES, expected, strict=False):
        if case.function != mistake.function:
            continue
        output = mistake_outcome(mistake, case)[0]  # Raises when it raises
        if not isinstance(output, Raises) and _same(case.function, output, value):
            continue
        if not any(_agree(case.function, output, mistake_outcome(m, case)[0]) for m in others):
            distinct.append(case.name)
    assert distinct, f"{name} never differs from both PyTorch and every other mistake"


def test_every_mistake_has_a_learner_file():
    covered = {name for name, _ in WRONG_FILES.values()}
    covered |= {f"{name}_in_mha" for name in ATTENTION_STEP}
    assert covered >= set(MISTAKES)
    assert all((LEARNER_FILES / file).is_file() for file in WRONG_FILES)


def test_mistake_messages_are_bilingual():
    for mistake in MISTAKES.values():
        assert mistake.function in (SDPA, MHA)
        assert mistake.message_en.strip() and mistake.message_zh.strip()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in mistake.message_zh)


# --- graded end to end ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("file", sorted(WRONG_FILES))
def test_a_wrong_implementation_gets_its_diagnosis(file):
    name, phrase = WRONG_FILES[file]
    result = grade_file(EXERCISE, LEARNER_FILES / file)
    assert result.status == "failed", result.summary()
    found = {d.name: d for d in result.diagnoses}
    assert name in found
    allowed = {name, f"{name}_in_mha"} if name in ATTENTION_STEP else {name}
    assert set(found) <= allowed, f"also diagnosed as {set(found) - allowed}"
    assert phrase in found[name].message["en"] and found[name].message["zh"]
    if name in ATTENTION_STEP and name != "scaled_by_value_dim":  # in one head, Ev == E: no difference
        assert f"{name}_in_mha" in found


def test_scaling_the_queries_in_place_fails():
    result = grade_file(EXERCISE, LEARNER_FILES / "in_place_scaling.py")
    assert result.status == "failed"
    mutated = [case for case in result.cases if case.kind == "mutated"]
    assert {case.function for case in mutated} == {SDPA}
    assert all(case.mutated == ["q"] for case in mutated)
    assert all(case.passed for case in result.cases if case.function == MHA)
