"""The cam exercise: its cases come from real torch networks and their CAMs add up to the logits, the reference
solution passes, the template fails cleanly, and every wrong implementation is caught with its own diagnosis."""

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

LEARNER_FILES = Path(__file__).resolve().parent / "learner_files" / "cam"
EXERCISE = load_exercise("cam")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()
MISTAKES = {mistake.name: mistake for mistake in GRADING.MISTAKES}
CAM, NORMALIZE = "class_activation_map", "normalize_map"

# learner file -> (the diagnosis it must get, a phrase its English message must contain, kind of the first failure)
WRONG_FILES = {
    "weight_transposed.py": ("weight_transposed", "(out_features, in_features)", "exception"),
    "mean_not_sum.py": ("mean_not_sum", "averaged over the channels", "wrong_values"),
    "predicted_class.py": ("predicted_class", "not for class_index", "wrong_values"),
    "relu_on_cam.py": ("relu_on_cam", "Grad-CAM", "wrong_values"),
    "feature_map_of_class.py": ("feature_map_of_class", "Channel c is not class c", "wrong_values"),
    "normalized_too.py": ("normalized_too", "normalize_map's job", "wrong_values"),
    "global_min_max.py": ("global_min_max", "whole batch", "wrong_values"),
    "axes_0_1.py": ("axes_0_1", "axes (0, 1)", "wrong_values"),
    "divides_by_max.py": ("divides_by_max", "not by its range", "wrong_values"),
    "constant_map_nan.py": ("constant_map_nan", "0 / 0 = nan", "not_finite"),
    "clips_negatives.py": ("clips_negatives", "clipped to 0 before scaling", "wrong_values"),
    "eps_in_denominator.py": ("eps_in_denominator", "1e-8", "wrong_values"),
}


def _notes() -> str:
    """The author's notes (shared/seeds/DLNotes.txt in a folder above this checkout)."""
    for folder in Path(__file__).resolve().parents:
        seed = folder / "shared" / "seeds" / "DLNotes.txt"
        if seed.is_file():
            return seed.read_text(encoding="utf-8")
    pytest.skip("DLNotes.txt is not next to this checkout")


def _same(function, actual, expected) -> bool:
    if actual is None or expected is None:  # a mistake that cannot happen for this input
        return False
    return compare_value(function, actual, expected, 1e-7, 1e-7).passed


def _run(implementation, case):
    try:
        with np.errstate(all="ignore"):
            return implementation(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    except (ValueError, IndexError):
        return None


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


# --- the folder and the cases --------------------------------------------------------------------------------------


def test_metadata():
    assert EXERCISE.functions == (CAM, NORMALIZE) and EXERCISE.order == 42
    assert len(EXERCISE.hints) >= 3
    notes = _notes().splitlines()
    assert [line for line in EXERCISE.note.splitlines() if line not in notes] == []  # verbatim, line by line
    assert "Class Activation Mapping" in EXERCISE.note and "GAP" in EXERCISE.note


def test_each_cam_plus_the_bias_is_the_network_s_logit(expected):
    """The CAM identity, on PyTorch's reference: mean over the pixels of M + bias[k] = logit[k]."""
    cams = [value for case, value in zip(CASES, expected, strict=True) if case.function == CAM]
    assert len(cams) == len(GRADING.NETWORKS)
    for net, cam in zip(GRADING.NETWORKS, cams, strict=True):
        run = GRADING.run_network(net)
        rows = np.arange(net.N)
        classes = run["class_index"]
        assert cam.shape == (net.N, net.H, net.W)
        assert np.allclose(
            cam.mean(axis=(1, 2)) + run["fc_bias"][classes], run["logits"][rows, classes], rtol=1e-12, atol=1e-12
        ), net.name


def test_cam_cases_are_the_networks_relu_outputs_and_catch_shortcuts():
    cams = [case for case in CASES if case.function == CAM]
    for case in cams:
        features, fc_weight, class_index = case.args
        assert features.dtype == fc_weight.dtype == np.float64 and class_index.dtype == np.int64
        assert features.min() >= 0.0 and features.max() > 0.0  # a ReLU output
        assert fc_weight.shape[1] == features.shape[1] and class_index.shape == (features.shape[0],)
    shapes = [case.args[0].shape for case in cams]
    assert any(n == 1 for n, _, _, _ in shapes) and any(h != w for _, _, h, w in shapes)
    assert any(case.args[1].shape[0] != case.args[1].shape[1] for case in cams), "K != C"
    assert any(case.args[1].shape[0] == case.args[1].shape[1] for case in cams), "K == C: transposes keep the shape"
    assert any(len(set(case.args[2])) < len(case.args[2]) for case in cams), "a class repeated"
    predicted = [(case.args[0].mean(axis=(2, 3)) @ case.args[1].T).argmax(axis=1) for case in cams]
    assert any((p != case.args[2]).any() for p, case in zip(predicted, cams, strict=True)), "not the top class"


def test_normalize_cases_hold_what_finds_mistakes(expected):
    mine = [(case.args[0], value) for case, value in zip(CASES, expected, strict=True) if case.function == NORMALIZE]
    assert any(cam.shape[0] == 1 for cam, _ in mine) and any(cam.max() < 0 for cam, _ in mine)
    assert any(np.ptp(cam, axis=(1, 2)).min() == 0 < np.ptp(cam, axis=(1, 2)).max() for cam, _ in mine)
    assert any(0 < np.ptp(cam) < 1e-4 for cam, _ in mine), "a tiny range shows an eps in the denominator"
    for cam, value in mine:
        spans = np.ptp(cam, axis=(1, 2))
        assert np.all(value[spans == 0] == 0.0)
        assert np.allclose(value[spans > 0].min(axis=(1, 2)), 0.0) and np.allclose(value[spans > 0].max(axis=(1, 2)), 1)


def test_the_solution_passes_and_each_mistake_is_distinguishable(expected):
    solution = grade_file(EXERCISE, EXERCISE.solution_path)
    assert solution.status == "passed", solution.summary()
    for name, mistake in MISTAKES.items():
        others = [m for m in MISTAKES.values() if m is not mistake and m.function == mistake.function]
        distinct = [
            case.name
            for case, value in zip(CASES, expected, strict=True)
            if case.function == mistake.function
            and (out := _run(mistake.implementation, case)) is not None
            and not _same(case.function, out, value)
            and not any(_same(case.function, out, _run(m.implementation, case)) for m in others)
        ]
        assert distinct, f"{name} never differs from both PyTorch and every other mistake"


def test_mistake_messages_are_bilingual():
    assert 6 <= len(MISTAKES) <= 12
    for mistake in MISTAKES.values():
        assert mistake.message_en.strip() and any("\u4e00" <= ch <= "\u9fff" for ch in mistake.message_zh)


# --- graded end to end ---------------------------------------------------------------------------------------------


def test_an_equivalent_implementation_passes():
    result = grade_file(EXERCISE, LEARNER_FILES / "broadcasting.py")
    assert result.status == "passed", result.summary()


def test_every_mistake_has_a_learner_file():
    assert {name for name, _, _ in WRONG_FILES.values()} == set(MISTAKES)


@pytest.mark.parametrize("file", sorted(WRONG_FILES))
def test_a_wrong_implementation_gets_its_diagnosis(file):
    assert_diagnosed(EXERCISE, LEARNER_FILES / file, *WRONG_FILES[file])


def test_scaling_in_place_fails_as_a_mutation():
    result = grade_file(EXERCISE, LEARNER_FILES / "in_place.py")
    mutated = [case for case in result.cases if case.kind == "mutated"]
    assert mutated and all(case.function == NORMALIZE and case.mutated == ["cam"] for case in mutated)
    assert all(case.passed for case in result.cases if case.function == CAM)


def test_handing_back_the_input_fails_as_aliased():
    result = grade_file(EXERCISE, LEARNER_FILES / "returns_normalized_input.py")
    [failed] = [case for case in result.cases if not case.passed]
    assert failed.name == "normalize_map: maps already scaled to [0, 1]"
    assert failed.kind == "aliased" and failed.aliased == ["cam"]


def test_cli_grades_a_file_with_exit_codes():
    runner = CliRunner()
    passed = runner.invoke(app, ["exercise", "cam", "--file", str(EXERCISE.solution_path), "--json"])
    assert passed.exit_code == 0, passed.output
    assert '"status": "passed"' in passed.output
    failed = runner.invoke(app, ["exercise", "cam", "--file", str(LEARNER_FILES / "relu_on_cam.py"), "--lang", "en"])
    assert failed.exit_code == 1 and "Grad-CAM" in failed.output
