"""`conv2d`: F.conv2d with int and (h, w) stride, padding and dilation, and the layout, order and padding mistakes
learners make."""

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

FILES = Path(__file__).parent / "learner_files" / "conv2d"
EXERCISE = load_exercise("conv2d")
GRADING = grading_module(EXERCISE)
CASES = GRADING.cases()

# learner file -> (the diagnosis, words of its English message, the kind of the first failed case)
WRONG = {
    "flipped_kernel.py": ("flipped_kernel", "cross-correlation", "wrong_values"),
    "no_bias.py": ("no_bias", "bias is missing", "wrong_values"),
    "bias_on_last_axis.py": ("bias_on_last_axis", "bias.reshape(1, M, 1, 1)", "exception"),
    "pairs_as_width_height.py": ("pairs_as_width_height", "(height, width)", "wrong_shape"),
    "dilation_ignored.py": ("dilation_ignored", "Dilation was ignored", "wrong_shape"),
    "dilated_size_dk.py": ("dilated_size_dk", "d*(k - 1) + 1 pixels, not d*k", "wrong_shape"),
    "stride_ignored.py": ("stride_ignored", "Stride was ignored", "wrong_shape"),
    "edge_padding.py": ("edge_padding", "pads with zeros", "wrong_values"),
    "weight_in_out_swapped.py": ("weight_in_out_swapped", "conv_transpose2d", "exception"),
    "kernel_axes_swapped.py": ("kernel_axes_swapped", "spatial axes", "wrong_values"),
}


@pytest.fixture(scope="module")
def expected():
    return references(EXERCISE, CASES)


def _named(name):
    return next(case for case in CASES if case.name == f"conv2d: {name}")


def test_metadata_is_complete_and_bilingual():
    assert EXERCISE.functions == ("conv2d",) and EXERCISE.order == 16
    assert len(EXERCISE.hints) >= 3 and all(set(hint) == {"zh", "en"} for hint in EXERCISE.hints)
    assert "通常有多少个卷积核,下一层就会生成多少个feature map" in EXERCISE.note
    task = split_languages(EXERCISE.task_path.read_text(encoding="utf-8"))
    assert set(task) == {"zh", "en"} and all("conv2d" in text for text in task.values())


def test_an_equivalent_formulation_passes():
    assert grade_file(EXERCISE, FILES / "equivalent.py").status == "passed"  # im2col via sliding_window_view


@pytest.mark.parametrize("name", sorted(WRONG))
def test_each_mistake_gets_its_diagnosis(name):
    assert_diagnosed(EXERCISE, FILES / name, *WRONG[name])


def test_every_mistake_is_tested_with_a_learner_file():
    assert {mistake.name for mistake in GRADING.MISTAKES} == {entry[0] for entry in WRONG.values()}


@pytest.mark.parametrize(
    "name, case",
    [
        ("bias_on_last_axis.py", "Wo == M"),  # broadcasts without an error
        ("weight_in_out_swapped.py", "M == C, square kernel"),  # multiplies without an error
        ("pairs_as_width_height.py", "stride, padding and dilation together"),
        ("edge_padding.py", "padding wider than the kernel"),
    ],
)
def test_shapes_chosen_to_expose_silent_mix_ups(name, case):
    result = grade_file(EXERCISE, FILES / name)
    failed = next(c for c in result.cases if c.name == f"conv2d: {case}")
    assert not failed.passed and failed.diagnosis == WRONG[name][0]


def test_float32_and_in_place():
    assert grade_file(EXERCISE, FILES / "float32.py").first_failure.kind == "wrong_dtype"
    result = grade_file(EXERCISE, FILES / "in_place.py")  # weight.shape = (M, -1) reshapes the caller's array
    assert all(case.kind == "mutated" and case.mutated == ["weight"] for case in result.cases)


# --- the cases hold what the exercise promises ---------------------------------------------------------------------


def test_every_parameter_form_is_asked():
    calls = [GRADING.arguments(case) for case in CASES]
    for parameter in ("stride", "padding", "dilation"):
        values = [call[parameter] for call in calls]
        assert any(isinstance(v, int) and v > (0 if parameter == "padding" else 1) for v in values)
        assert any(isinstance(v, tuple) and v[0] != v[1] for v in values)  # an asymmetric (h, w) pair
    assert any(call["bias"] is None for call in calls) and any(call["bias"] is not None for call in calls)
    assert any(len(case.args) == 6 for case in CASES)  # passed positionally once
    assert any(call["x"].shape[0] == 1 for call in calls)
    assert any(call["weight"].shape[2] != call["weight"].shape[3] for call in calls)  # kH != kW
    assert any(call["x"].shape[2] != call["x"].shape[3] for call in calls)  # H != W


def test_references_match_the_module_and_the_pair_order_matters(expected):
    import torch
    import torch.nn as nn

    case = _named("stride, padding and dilation together")
    a = GRADING.arguments(case)
    layer = nn.Conv2d(3, 4, (3, 2), stride=a["stride"], padding=a["padding"], dilation=a["dilation"]).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(a["weight"]))
        layer.bias.copy_(torch.from_numpy(a["bias"]))
        module_out = layer(torch.from_numpy(a["x"])).numpy()
    assert np.allclose(module_out, expected[CASES.index(case)], rtol=1e-12, atol=1e-12)  # nn.Conv2d agrees
    swapped = dataclasses.replace(case, kwargs={**case.kwargs, "padding": (a["padding"][1], a["padding"][0])})
    assert GRADING.reference(swapped).shape != expected[CASES.index(case)].shape  # here the order matters


def test_cli_grades_the_solution_and_a_wrong_file():
    runner = CliRunner()
    passed = runner.invoke(app, ["exercise", "conv2d", "--file", str(EXERCISE.solution_path), "--json"])
    assert passed.exit_code == 0, passed.output
    assert json.loads(passed.stdout)["status"] == "passed"
    failed = runner.invoke(app, ["exercise", "conv2d", "--file", str(FILES / "flipped_kernel.py"), "--json"])
    assert failed.exit_code == 1
    report = json.loads(failed.stdout)
    assert report["status"] == "failed" and [d["name"] for d in report["diagnoses"]] == ["flipped_kernel"]
