"""`dlquiz exercise`: listing, the workspace file, hints, solution, reset, --file grading with exit codes and JSON,
and the records it leaves in the progress database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlquiz.cli import exercise as exercise_cli
from dlquiz.cli.app import app
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import open_store

exercise_cli.register(app)  # idempotent: the CLI module registers it already
ROOT = Path(__file__).parents[1]
SOLUTION = ROOT / "exercises" / "relu" / "solution.py"
TEMPLATE = ROOT / "exercises" / "relu" / "template.py"
WRONG = Path(__file__).parent / "learner_files" / "relu" / "grad_one_at_zero.py"
runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, ["exercise", *args], input=input)


def attempts(name: str = "relu"):
    store = open_store()
    try:
        return ProgressRepository(store).exercise_attempts(name)
    finally:
        store.close()


def test_register_is_idempotent():
    exercise_cli.register(app)
    assert [c.name for c in app.registered_commands].count("exercise") == 1


def test_list_shows_every_exercise_as_new():
    result = run("--lang", "en")
    assert result.exit_code == 0, result.output
    for name in ("relu", "padding", "gap"):
        assert name in result.output
    assert "new" in result.output and "passed" not in result.output


def test_file_grading_passes_records_and_lists():
    result = run("relu", "--file", str(SOLUTION), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "All 22 cases match PyTorch" in result.output
    [attempt] = attempts()
    assert (attempt.status, attempt.cases_passed, attempt.cases_total, attempt.hints_used) == ("passed", 22, 22, 0)
    listing = run("--lang", "en", "--json")
    relu = next(item for item in json.loads(listing.output) if item["id"] == "relu")
    assert relu["status"] == "passed" and relu["attempts"] == 1 and relu["last"]["cases_passed"] == 22
    assert "passed" in run("--lang", "en").output


def test_failing_file_exits_1_with_the_diagnosis():
    result = run("relu", "--file", str(WRONG), "--lang", "en")
    assert result.exit_code == 1
    assert "use the strict x > 0" in result.output
    [attempt] = attempts()
    assert attempt.status == "failed" and attempt.cases_passed == 20
    assert "relu_grad: exactly zero" in attempt.summary
    listing = json.loads(run("--json").output)
    assert next(i for i in listing if i["id"] == "relu")["status"] == "attempted"


def test_error_is_recorded_as_error():
    result = run("relu", "--file", str(Path(__file__).parent / "learner_files" / "failures" / "syntax_error.py"))
    assert result.exit_code == 1 and "syntax error" in result.output
    assert attempts()[0].status == "error"


def test_json_output():
    result = run("relu", "--file", str(WRONG), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["status"] == "failed"
    case = data["cases"][0]
    assert set(case) >= {"name", "passed", "message", "max_abs_error", "max_rel_error"}
    assert json.loads(run("relu", "--file", str(SOLUTION), "--json").stdout)["status"] == "passed"


def test_chinese_output():
    result = run("relu", "--file", str(WRONG), "--lang", "zh")
    assert "第一个失败的用例" in result.output and "诊断" in result.output


@pytest.mark.parametrize(
    "args, words",
    [
        (["nope"], "no exercise named 'nope'"),
        (["relu", "--file", "does/not/exist.py"], "no such file"),
        (["relu", "--json", "--watch"], "cannot be combined"),
        (["--hint"], "need an exercise NAME"),
        (["relu", "--file", "x.py", "--reset"], "--reset"),
        (["relu", "--lang", "fr"], "unknown language"),
    ],
)
def test_usage_errors_exit_2(args, words):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert "Traceback" not in result.output
    assert attempts() == []


def test_workspace_file_is_created_then_graded_once_edited(isolated_home):
    first = run("relu", "--lang", "en")
    assert first.exit_code == 0, first.output
    workspace = isolated_home / "exercises" / "relu.py"
    assert workspace.read_text(encoding="utf-8") == TEMPLATE.read_text(encoding="utf-8")
    assert str(workspace) in first.output.replace("\n", "")
    assert "ReLU and its gradient" in first.output and "Edit it" in first.output
    assert attempts() == []  # nothing to grade yet
    workspace.write_text(SOLUTION.read_text(encoding="utf-8"), encoding="utf-8")
    second = run("relu", "--lang", "en")
    assert second.exit_code == 0 and "All 22 cases match PyTorch" in second.output
    assert len(attempts()) == 1


def test_workspace_option(tmp_path):
    result = run("gap", "--workspace", str(tmp_path / "mine"), "--lang", "en")
    assert result.exit_code == 0
    assert (tmp_path / "mine" / "gap.py").is_file()


def test_hints_are_progressive_and_counted():
    first = run("relu", "--hint", "--lang", "en")
    assert "Hint 1/4" in first.output and "elementwise" in first.output
    second = run("relu", "--hint", "--lang", "en")
    assert "Hint 2/4" in second.output
    run("relu", "--file", str(SOLUTION))
    assert attempts()[0].hints_used == 2
    for _ in range(3):
        last = run("relu", "--hint", "--lang", "en")
    assert "Hint 4/4" in last.output and "last hint" in last.output


def test_solution_needs_a_pass_or_a_yes():
    refused = run("relu", "--solution", "--lang", "en", input="n\n")
    assert "Show the solution anyway?" in refused.output and "np.maximum" not in refused.output
    no_answer = run("relu", "--solution", "--lang", "en")  # stdin closed: counts as "no"
    assert no_answer.exit_code == 0 and "np.maximum" not in no_answer.output
    confirmed = run("relu", "--solution", input="y\n")
    assert "np.maximum" in confirmed.output
    run("relu", "--file", str(SOLUTION))
    after_pass = run("relu", "--solution")
    assert "Show the solution anyway?" not in after_pass.output and "np.maximum" in after_pass.output


def test_reset_asks_first_and_keeps_a_backup(isolated_home):
    run("relu")
    workspace = isolated_home / "exercises" / "relu.py"
    workspace.write_text("# my work\n", encoding="utf-8")
    kept = run("relu", "--reset", "--lang", "en", input="n\n")
    assert "Left" in kept.output and workspace.read_text(encoding="utf-8") == "# my work\n"
    assert run("relu", "--reset").exit_code == 0  # no answer: "no"
    assert workspace.read_text(encoding="utf-8") == "# my work\n"
    done = run("relu", "--reset", "--lang", "en", input="y\n")
    assert "Restored the template" in done.output
    assert workspace.read_text(encoding="utf-8") == TEMPLATE.read_text(encoding="utf-8")
    assert (isolated_home / "exercises" / "relu.py.bak").read_text(encoding="utf-8") == "# my work\n"
    assert "already the untouched template" in run("relu", "--reset", "--lang", "en").output


def test_help_does_not_import_numpy_or_torch():
    code = (
        "import sys\nfrom dlquiz.cli.app import app\nfrom typer.main import get_command\n"
        "try:\n    get_command(app)(['exercise', '--help'], prog_name='dlquiz')\nexcept SystemExit:\n    pass\n"
        "print('HEAVY', [m for m in ('numpy', 'torch') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert "--solution" in out.stdout and "HEAVY []" in out.stdout, out.stderr


def test_end_to_end_timing_of_a_correct_solution():
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "dlquiz", "exercise", "relu", "--file", str(SOLUTION), "--lang", "en"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    seconds = time.perf_counter() - started
    print(f"\n`python -m dlquiz exercise relu --file solution.py` took {seconds:.2f} s (PyTorch import included)")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "All 22 cases match PyTorch" in out.stdout
    assert seconds < 30


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX terminal")
def test_watch_regrades_on_save_and_stops_on_ctrl_c(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    mine = tmp_path / "relu.py"
    mine.write_text(WRONG.read_text(encoding="utf-8"), encoding="utf-8")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "dlquiz", "exercise", "relu", "--file", str(mine), "--watch", "--lang", "en"],
        cwd=str(ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 160),
    )
    try:
        child.expect("20 of 22 cases match PyTorch")
        child.expect("Watching")
        mine.write_text(SOLUTION.read_text(encoding="utf-8"), encoding="utf-8")
        child.expect("All 22 cases match PyTorch")
        child.sendintr()
        child.expect("Stopped watching")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert [a.status for a in attempts()] == ["failed", "passed"]
