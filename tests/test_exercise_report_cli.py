"""The exercise report as a learner meets it through `dlquiz exercise NAME --file F`, at 100 and 60 columns, in
English and Chinese: returned values and arguments by name, case names never cut, and what to do after a pass."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlquiz.cli import exercise as exercise_cli
from dlquiz.cli.app import app
from dlquiz.grading.catalog import list_exercises, load_exercise
from dlquiz.grading.workflow import next_unpassed
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import open_store

exercise_cli.register(app)
FILES = Path(__file__).parent / "learner_files"


def run(monkeypatch, columns: int, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = CliRunner().invoke(app, ["exercise", *args])
    return result.exit_code, result.stdout


def flat(text: str) -> str:
    """The screen with its line breaks undone, to find a phrase wherever the width wrapped it."""
    return " ".join(text.split())


@pytest.mark.parametrize("columns", [100, 60])
def test_a_wrong_returned_value_is_named_and_the_tuples_are_labelled(monkeypatch, columns):
    code, out = run(
        monkeypatch, columns, "batchnorm", "--file", str(FILES / "batchnorm" / "biased_running_var.py"), "--lang", "en"
    )
    assert code == 1
    assert "`new_running_var` (the 3rd of the 3 returned values): 3 of 3 values differ" in flat(out)
    assert "returned value [" not in out
    # the arguments by the template's parameter names, not by position
    for parameter in ("x = [[", "gamma = [", "beta = [", "running_mean = [", "running_var = ["):
        assert "  " + parameter in out
    assert "arg 1" not in out and "arg 5" not in out
    # expected and actual: each part of the tuple under its name
    expected, got = out.split("expected (PyTorch):")[1].split("your result:")
    for part in ("out (1st of 3):", "new_running_mean (2nd of 3):", "new_running_var (3rd of 3):"):
        assert part in expected and part in got
    assert max(len(line) for line in out.splitlines()) <= columns


@pytest.mark.parametrize("columns", [100, 60])
def test_the_names_in_chinese(monkeypatch, columns):
    code, out = run(
        monkeypatch, columns, "bn_backward", "--file", str(FILES / "bn_backward" / "grad_beta_mean.py"), "--lang", "zh"
    )
    assert code == 1
    assert "`grad_beta`（3 个返回值中的第 3 个）：" in out.replace("\n", "")
    assert "grad_beta（第 3 个，共 3 个）:" in out and "grad_x（第 1 个，共 3 个）:" in out
    assert "  grad_out = [" in out and "arg 1" not in out


def test_rnn_names_its_final_state(monkeypatch):
    code, out = run(monkeypatch, 100, "rnn", "--file", str(FILES / "rnn" / "h_n_last_sample.py"), "--lang", "en")
    assert code == 1
    assert "`h_n` (the 2nd of the 2 returned values)" in flat(out)
    assert "output (1st of 2):" in out and "h_n (2nd of 2):" in out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_case_names_are_never_cut_at_60_columns(monkeypatch, lang):
    code, out = run(monkeypatch, 60, "gap", "--file", str(FILES / "gap" / "divided_by_h.py"), "--lang", lang)
    assert code == 1
    assert "…" not in out.split("First failure")[0].split("第一个失败")[0]
    screen = flat(out)
    for case in (
        "global_avg_pool: the notes' four 6x6 maps (N=1)",
        "global_avg_pool: large offset, small spread",
        "global_avg_pool: 1x1 maps: nothing to average",
    ):
        assert case in screen
    shown = out.replace("\u00a0", " ")  # no-break spaces hold a shape together; they look like spaces
    assert any(line.strip().startswith("x (2, 4, 32, 32); ") for line in shown.splitlines())  # one line
    assert max(len(line) for line in out.splitlines()) <= 60


def test_the_wide_report_keeps_its_table(monkeypatch):
    code, out = run(monkeypatch, 100, "gap", "--file", str(FILES / "gap" / "divided_by_h.py"), "--lang", "en")
    assert "max abs err" in out.splitlines()[0] and "global_avg_pool: the notes' four 6x6 maps (N=1)" in out


def ids_by_order() -> list[str]:
    return [exercise.id for exercise in list_exercises()]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_after_a_pass_it_says_what_to_do_next(monkeypatch, lang):
    order = ids_by_order()
    first, second, third = order[0], order[1], order[2]
    code, out = run(monkeypatch, 60, second, "--file", str(load_exercise(second).solution_path), "--lang", lang)
    assert code == 0
    assert f"  dlquiz exercise {second} --solution\n" in out  # whole on its own line: copyable at any width
    assert f"  dlquiz exercise {third}\n" in out
    code, out = run(monkeypatch, 60, first, "--file", str(load_exercise(first).solution_path), "--lang", lang)
    assert code == 0
    words = {
        "en": ("Compare your code with the reference solution", "Next exercise:"),
        "zh": ("可以和参考答案对照一下", "下一个练习："),
    }[lang]
    assert all(word in out for word in words)
    # the second is passed already: the next one not passed yet comes after it
    assert f"  dlquiz exercise {third}\n" in out and f"dlquiz exercise {second}\n" not in out


def test_no_next_step_after_a_failure(monkeypatch):
    code, out = run(monkeypatch, 100, "relu", "--file", str(FILES / "relu" / "leaky.py"), "--lang", "en")
    assert code == 1 and "--solution" not in out and "Next exercise" not in out


def _pass(progress: ProgressRepository, exercise_id: str) -> None:
    progress.record_exercise_attempt(exercise_id, "passed", 1, 1, 0, "1/1 cases pass")


def test_the_next_exercise_wraps_round_and_ends_when_all_are_passed():
    order = ids_by_order()
    store = open_store()
    try:
        progress = ProgressRepository(store)
        for exercise_id in order[1:]:
            _pass(progress, exercise_id)
    finally:
        store.close()

    def opened():
        from contextlib import contextmanager

        @contextmanager
        def block():
            inner = open_store()
            try:
                yield ProgressRepository(inner)
            finally:
                inner.close()

        return block()

    last = load_exercise(order[-1])
    assert (
        next_unpassed(last, opened, datetime.now(timezone.utc)).id == order[0]
    )  # after the last, back to the first not passed
    inner = open_store()
    try:
        _pass(ProgressRepository(inner), order[0])
    finally:
        inner.close()
    assert next_unpassed(last, opened, datetime.now(timezone.utc)) is None


def test_the_last_exercise_passed_says_so(monkeypatch):
    order = ids_by_order()
    store = open_store()
    try:
        for exercise_id in order[1:]:
            _pass(ProgressRepository(store), exercise_id)
    finally:
        store.close()
    first = load_exercise(order[0])
    code, out = run(monkeypatch, 100, first.id, "--file", str(first.solution_path), "--lang", "en")
    assert code == 0 and "every exercise is passed" in out and "Next exercise" not in out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_narrow_exercise_list_keeps_each_wrapped_detail_under_its_exercise(monkeypatch, lang):
    wrong = FILES / "relu" / sorted(path.name for path in (FILES / "relu").glob("*.py"))[0]
    assert run(monkeypatch, 60, "relu", "--file", str(wrong))[0] == 1  # a last result makes the detail line long
    code, out = run(monkeypatch, 40, "--lang", lang)
    assert code == 0
    ids = {exercise.id for exercise in list_exercises()}
    lines = [line for line in out.splitlines() if line.strip()][:-1]  # the footer off
    headers = [line for line in lines if line.split(" · ")[0] in ids]
    assert len(headers) == len(ids)
    details = [line for line in lines if line not in headers]
    assert len(details) > len(ids)  # relu's details wrapped onto a second line
    assert all(line.startswith("  ") for line in details), out
    assert max(len(line) for line in out.splitlines()) <= 40
