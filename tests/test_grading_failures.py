"""Every way a learner's file can go wrong gets its own clear result, and the grader itself never crashes.

Each file in tests/learner_files/failures/ is graded against the `relu` exercise.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from dlquiz.errors import DlquizError
from dlquiz.grading import runner
from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.grader import grade_file

FILES = Path(__file__).parent / "learner_files" / "failures"
posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals and resource limits")


@pytest.fixture(scope="module")
def relu():
    return load_exercise("relu")


def grade(relu, name: str, **options):
    return grade_file(relu, FILES / name, **options)


def first_message(result) -> str:
    return result.first_failure.message["en"]


# (file, status, error_kind, kind of the first failed case, words the learner must see)
CASES = [
    ("returns_list.py", "failed", None, "wrong_type", ["returned list", "numpy array"]),
    ("returns_none.py", "failed", None, "wrong_type", ["returned None", "return"]),
    ("returns_scalar.py", "failed", None, "wrong_type", ["returned float", "shape (2, 3)"]),
    ("custom_object.py", "failed", None, "wrong_type", ["Tensor"]),
    ("wrong_shape.py", "failed", None, "wrong_shape", ["shape (6,)", "expected (2, 3)"]),
    ("huge_result.py", "failed", None, "wrong_shape", ["(3000, 3000)"]),
    ("returns_float32.py", "failed", None, "wrong_dtype", ["float32", "float64"]),
    ("returns_nan.py", "failed", None, "not_finite", ["NaN", "0/0"]),
    ("reads_input.py", "failed", None, "exception", ["input()"]),
    ("recursion.py", "failed", None, "exception", ["RecursionError"]),
    ("missing_function.py", "error", "missing_function", "missing_function", ["relu_grad"]),
    ("empty.py", "error", "missing_function", "missing_function", ["relu"]),
    ("imports_torch_in_function.py", "error", "torch_import", "torch_refused", ["torch", "numpy"]),
]


@pytest.mark.parametrize("name, status, error_kind, kind, words", CASES, ids=[c[0] for c in CASES])
def test_each_failure_has_its_own_message(relu, name, status, error_kind, kind, words):
    result = grade(relu, name)
    assert result.status == status
    assert result.error_kind == error_kind
    assert result.first_failure.kind == kind
    for word in words:
        assert word in first_message(result)
    assert result.first_failure.message["zh"]  # every message exists in Chinese too


def test_changing_the_input_in_place_and_returning_it(relu):
    result = grade(relu, "mutates_input.py")  # x[x < 0] = 0; return x
    assert (result.status, result.error_kind) == ("failed", None)
    kinds = {case.name: case.kind for case in result.cases if case.function == "relu"}
    assert kinds["relu: all zeros"] == "aliased"  # nothing to change there, but the result is the input itself
    assert kinds["relu: all negative"] == "mutated"
    mutated = next(case for case in result.cases if case.kind == "mutated")
    assert "`x`" in mutated.message["en"] and "in place" in mutated.message["en"] and mutated.message["zh"]
    aliased = result.first_failure
    assert "`x`" in aliased.message["en"] and "new array" in aliased.message["en"] and "副本" in aliased.message["zh"]


def test_syntax_error_shows_the_line_and_runs_nothing(relu):
    result = grade(relu, "syntax_error.py")
    assert (result.status, result.error_kind) == ("error", "syntax")
    assert "line 4" in result.error_message["en"] and "第 4 行" in result.error_message["zh"]
    assert "def relu(x)" in result.error_detail and "SyntaxError" in result.error_detail
    assert result.cases_total == 22 and all(case.kind == "not_run" for case in result.cases)


def test_import_error_names_the_module(relu):
    result = grade(relu, "import_error.py")
    assert (result.status, result.error_kind) == ("error", "import")
    assert "scipy_not_installed_anywhere" in result.error_message["en"]
    assert "import_error.py" in result.error_detail


def test_importing_torch_is_refused_with_the_reason(relu):
    result = grade(relu, "imports_torch.py")
    assert (result.status, result.error_kind) == ("error", "torch_import")
    assert "write it yourself" in result.error_message["en"]
    assert "import torch" in result.error_detail  # the line of their file that did it


def test_exception_traceback_is_trimmed_to_the_learners_file(relu):
    result = grade(relu, "exception_in_helper.py")
    failure = result.first_failure
    assert failure.kind == "exception" and "IndexError" in failure.message["en"]
    trace = failure.actual.traceback
    assert "_positive_part" in trace and "exception_in_helper.py" in trace
    assert "child.py" not in trace and "importlib" not in trace
    assert result.cases_passed > 0  # relu_grad still graded


def test_infinite_loop_is_stopped_at_the_time_limit(relu):
    started = time.perf_counter()
    result = grade(relu, "infinite_loop.py", time_limit_s=1.5)
    assert time.perf_counter() - started < 6
    assert (result.status, result.error_kind) == ("error", "timeout")
    assert "1.5 s" in result.error_message["en"] and "infinite loop" in result.error_message["en"]
    assert result.cases[0].kind == "timeout"  # the case that was running is named
    assert all(case.kind == "not_run" for case in result.cases[1:])


def test_a_sleeping_function_is_stopped_by_the_wall_clock(relu):
    started = time.perf_counter()
    result = grade(relu, "sleeps_forever.py", time_limit_s=1.0)
    assert time.perf_counter() - started < 6
    assert result.error_kind == "timeout"


def test_prints_are_captured_and_cut(relu):
    result = grade(relu, "prints_a_lot.py")
    assert result.status == "passed"  # printing is allowed
    assert result.stdout.startswith("debug line 0: shape (2, 3) [not markup]")
    assert len(result.stdout) <= runner.OUTPUT_LIMIT and result.stdout_dropped > 1_000_000
    assert "梯度 relu_grad called" in result.stderr


def test_exit_at_import_is_reported_with_what_was_printed(relu):
    result = grade(relu, "exits_at_import.py")
    assert (result.status, result.error_kind) == ("error", "exit")
    assert "sys.exit()" in result.error_message["en"]
    assert "[0. 2.]" in result.stdout


def test_os_exit_inside_a_function(relu):
    result = grade(relu, "os_exit.py")
    assert (result.status, result.error_kind) == ("error", "exit")
    assert "exit status 3" in result.error_message["en"]
    assert result.cases[0].kind == "exit"


@posix_only
def test_memory_limit_turns_a_huge_allocation_into_a_message(relu):
    result = grade(relu, "allocates_too_much.py")
    assert (result.status, result.error_kind) == ("error", "memory")
    assert "2048 MB" in result.error_message["en"]
    assert result.first_failure.kind == "memory"


@posix_only
def test_a_crash_in_native_code_is_reported(relu):
    result = grade(relu, "segfault.py")
    assert (result.status, result.error_kind) == ("error", "crashed")
    assert "SIGSEGV" in result.error_message["en"]


@posix_only
def test_processes_spawned_by_the_learner_do_not_hold_up_grading(relu):
    started = time.perf_counter()
    result = grade(relu, "spawns_sleeper.py")
    assert result.status == "passed"
    assert time.perf_counter() - started < 10  # the sleeper holds the pipe for 60 s unless it is killed


def test_missing_file_is_a_usage_error(relu, tmp_path):
    with pytest.raises(DlquizError) as raised:
        grade_file(relu, tmp_path / "nope.py")
    assert raised.value.exit_code == 2 and "no such file" in raised.value.message
    with pytest.raises(DlquizError) as raised:
        grade_file(relu, tmp_path)
    assert raised.value.exit_code == 2 and "not a file" in raised.value.message


def test_hostile_file_names_and_contents_still_grade(relu, tmp_path):
    folder = tmp_path / "空 格 [dir]"
    folder.mkdir()
    weird = folder / "my relu (v2).py"
    weird.write_bytes(b"\xff\xfe not utf-8 \x00")
    result = grade_file(relu, weird)
    assert (result.status, result.error_kind) == ("error", "syntax")
    weird.write_text("relu = 5\nrelu_grad = None\n", encoding="utf-8")
    result = grade_file(relu, weird)
    assert result.error_kind == "missing_function"
    assert "not a function" in result.first_failure.message["en"]


def test_objects_that_misbehave_when_inspected_do_not_break_grading(relu):
    result = grade(relu, "hostile_objects.py")
    assert result.status == "failed" and result.error_kind is None
    assert result.first_failure.message["en"] == "relu raised Unprintable: <unprintable>"
    assert all(case.passed for case in result.cases if case.function == "relu_grad")
