"""A result that is an input array, or a view of one, fails: it passes every value check, yet changing it would
change the caller's array, and the PyTorch functions the exercises compare with return new tensors."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from dlquiz.grading import runner
from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.grader import grade_file
from dlquiz.grading.mutation import aliased_inputs

FILES = Path(__file__).parent / "learner_files" / "failures"

LEARNER = """
import numpy as np

def itself(x, y):
    return x

def sliced(x, y):
    return x[1:]

def transposed_in_a_tuple(x, y):
    return (y.sum(), [y.T])

def single_index(x, y):
    return y[int(0)]

def copied(x, y):
    return x.copy()

def computed(x, y):
    return np.maximum(x, 0.0)

def view_of_a_new_array(x, y):
    return (x + 1.0)[1:]

def fancy_index(x, y):
    return y[np.array([0, 0])]

def scalar(x, y):
    return float(x[0])
"""

# function -> the arguments its result shares memory with
EXPECTED = {
    "itself": ["x"],
    "sliced": ["x"],
    "transposed_in_a_tuple": ["y"],
    "single_index": ["y"],
    "copied": [],
    "computed": [],
    "view_of_a_new_array": [],
    "fancy_index": [],
    "scalar": [],
}


def test_the_child_names_the_inputs_a_result_shares_memory_with(tmp_path):
    learner = tmp_path / "learner.py"
    learner.write_text(LEARNER, encoding="utf-8")
    x, y = np.array([1.0, -2.0, 3.0]), np.arange(6.0).reshape(2, 3)
    calls = [(name, pickle.dumps(((x,), {"y": y}))) for name in EXPECTED]
    outcome = runner.start(learner, list(EXPECTED), calls, time_limit_s=20, memory_limit_mb=2048).wait()
    results = [frame for frame in outcome.frames if frame["event"] == "result"]
    named = {name: aliased_inputs(frame["aliases"], ["x", "y"]) for name, frame in zip(EXPECTED, results, strict=False)}
    assert named == EXPECTED


@pytest.fixture(scope="module")
def relu():
    return load_exercise("relu")


def test_returning_the_input_fails_with_advice_even_when_the_values_are_right(relu):
    result = grade_file(relu, FILES / "returns_its_input.py")
    assert result.status == "failed" and result.error_kind is None
    aliased = {case.name for case in result.cases if case.kind == "aliased"}
    assert aliased == {"relu: all zeros", "relu: all positive", "relu: values above 1 kept"}
    assert all(case.passed for case in result.cases if case.name not in aliased)
    failure = result.first_failure
    assert failure.aliased == ["x"]
    assert "`x`" in failure.message["en"] and ".copy()" in failure.message["en"] and "视图" in failure.message["zh"]


def test_wrong_values_are_reported_before_aliasing(relu, tmp_path):
    learner = tmp_path / "identity.py"
    learner.write_text("def relu(x):\n    return x\n\n\ndef relu_grad(x):\n    return x\n", encoding="utf-8")
    result = grade_file(relu, learner)
    kinds = {case.name: case.kind for case in result.cases}
    assert kinds["relu: mixed signs"] == "wrong_values"
    assert kinds["relu: all positive"] == "aliased"


def test_a_function_that_changes_its_input_but_returns_a_copy_gets_the_in_place_message_only(relu):
    result = grade_file(relu, FILES / "mutates_input.py")  # x[x < 0] = 0; return x.copy()
    kinds = {case.kind for case in result.cases if case.function == "relu"}
    assert kinds == {"ok", "mutated"}
    assert next(case for case in result.cases if case.name == "relu: all positive").aliased == []
