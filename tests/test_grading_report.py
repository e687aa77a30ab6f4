"""The report: a case table, the first failure in detail, the diagnosis, the learner's prints; and strict JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.grader import grade_file
from dlquiz.grading.report import render, to_dict, to_json

FILES = Path(__file__).parent / "learner_files"


@pytest.fixture(scope="module")
def relu():
    return load_exercise("relu")


def screen(result, lang="en", width=100) -> str:
    out = io.StringIO()
    render(result, Console(file=out, width=width, color_system=None), lang)
    return out.getvalue()


def test_passed_screen(relu):
    text = screen(grade_file(relu, relu.solution_path))
    assert "✓ All 22 cases match PyTorch." in text
    assert "relu_grad: exactly zero" in text and "x (2, 3, 4, 5)" in text
    assert "--hint" not in text


def test_failed_screen_shows_expected_got_and_diagnosis(relu):
    text = screen(grade_file(relu, FILES / "relu" / "grad_one_at_zero.py"))
    assert "✗ 20 of 22 cases match PyTorch." in text
    assert "First failure: relu_grad: exactly zero" in text
    assert "expected (PyTorch):\n[0., 0., 0.]" in text and "your result:\n[1., 1., 1.]" in text
    assert "Diagnosis:" in text and "use the strict x > 0" in text
    assert "dlquiz exercise relu --hint" in text


def test_chinese_and_both(relu):
    result = grade_file(relu, FILES / "relu" / "grad_one_at_zero.py")
    zh = screen(result, "zh", width=200)
    assert "第一个失败的用例" in zh and "要用严格的 x > 0" in zh and "First failure" not in zh
    both = screen(result, "both", width=200)
    assert "要用严格的 x > 0" in both and "use the strict x > 0" in both


def test_error_screen_for_a_syntax_error(relu):
    text = screen(grade_file(relu, FILES / "failures" / "syntax_error.py"))
    assert "Your file could not be graded." in text and "syntax error (line 4)" in text
    assert "SyntaxError" in text
    assert "✓" not in text  # no case table when nothing ran


def test_timeout_screen_names_the_running_case(relu):
    text = screen(grade_file(relu, FILES / "failures" / "infinite_loop.py", time_limit_s=1.0))
    assert "did not finish within 1 s" in text and "stopped while running: relu: all zeros" in text


def test_exception_screen_shows_the_learners_traceback(relu):
    text = screen(grade_file(relu, FILES / "failures" / "exception_in_helper.py"))
    assert "Traceback (your file only)" in text and "in _positive_part" in text


def test_learner_output_is_shown_cut_and_never_as_markup(relu, tmp_path):
    result = grade_file(relu, FILES / "failures" / "prints_a_lot.py")
    text = screen(result)
    assert "debug line 0: shape (2, 3) [not markup]" in text
    assert "more characters not shown" in text
    noisy = tmp_path / "noisy.py"
    noisy.write_text(
        "import numpy as np\nprint('\\x1b[2J[red]x[/red]')\n"
        "def relu(x):\n    return np.maximum(x, 0.0)\ndef relu_grad(x):\n    return (x > 0) * 1.0\n"
    )
    text = screen(grade_file(relu, noisy))
    assert "\x1b" not in text and "[red]x[/red]" in text


def test_large_arrays_are_summarised(tmp_path):
    gap = load_exercise("gap")
    wrong = FILES / "gap" / "sum_not_mean.py"
    result = grade_file(gap, wrong)
    big = next(c for c in result.cases if c.name == "global_avg_pool: 32x32 maps")
    from dlquiz.grading.report import format_value

    assert "..." not in format_value(big.expected)  # (2, 4): small, shown in full
    summary = format_value(big.case.args[0])
    assert summary.startswith("array (2, 4, 32, 32) float64") and "mean" in summary and "..." in summary


def test_json_is_strict_and_complete(relu):
    result = grade_file(relu, FILES / "relu" / "grad_one_at_zero.py")
    data = json.loads(to_json(result), parse_constant=lambda name: pytest.fail(f"non-standard JSON {name}"))
    assert data["status"] == "failed" and data["cases_passed"] == 20 and data["cases_total"] == 22
    case = next(c for c in data["cases"] if c["name"] == "relu_grad: exactly zero")
    assert case == {
        "name": "relu_grad: exactly zero",
        "function": "relu_grad",
        "passed": False,
        "kind": "wrong_values",
        "message": case["message"],
        "max_abs_error": 1.0,
        "max_rel_error": None,
        "diagnosis": "grad_one_at_zero",
    }
    assert data["diagnoses"][0]["name"] == "grad_one_at_zero"
    assert to_dict(result, "zh")["diagnoses"][0]["message"].startswith("你的 relu_grad")


def test_json_for_an_error(relu):
    data = json.loads(to_json(grade_file(relu, FILES / "failures" / "imports_torch.py")))
    assert data["status"] == "error" and data["error_kind"] == "torch_import"
    assert "torch" in data["error_message"] and all(c["kind"] == "not_run" for c in data["cases"])
