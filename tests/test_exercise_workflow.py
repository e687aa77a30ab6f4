"""The exercise workflow (dlquiz.grading.workflow) on its own, with the real progress database: the workspace file,
reset with a .bak, hints, the solution gate, grading with the attempt recorded, and the exercise status that
`dlquiz exercise` and `dlquiz stats` share."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.errors import DlquizError
from dlquiz.grading import workflow
from dlquiz.grading.attempts import ExerciseProgress, exercise_status
from dlquiz.grading.catalog import load_exercise
from dlquiz.review.records import ExerciseAttempt
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import open_store

ROOT = Path(__file__).parents[1]
SOLUTION = ROOT / "exercises" / "relu" / "solution.py"
WRONG = Path(__file__).parent / "learner_files" / "relu" / "grad_one_at_zero.py"
NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)  # conftest's DLQUIZ_NOW


class Progress:
    """Opens the real store like the CLI does, and remembers whether it is open right now."""

    def __init__(self) -> None:
        self.open_now = 0
        self.openings = 0

    @contextmanager
    def __call__(self) -> Iterator[ExerciseProgress]:
        store = open_store()
        self.open_now += 1
        self.openings += 1
        try:
            yield ProgressRepository(store)
        finally:
            self.open_now -= 1
            store.close()


def saved() -> ProgressRepository:
    return ProgressRepository(open_store())


@pytest.fixture
def relu():
    return load_exercise("relu")


def never_asked() -> bool:
    raise AssertionError("the learner should not have been asked")


# --- status -------------------------------------------------------------------------------------------------------


def attempt(status: str, minute: int = 0) -> ExerciseAttempt:
    at = datetime(2026, 3, 1, 9, minute, tzinfo=timezone.utc)
    return ExerciseAttempt("relu", at, status, 0, 1, 0, "")


@pytest.mark.parametrize(
    "statuses, expected",
    [
        ([], "new"),
        (["error"], "attempted"),
        (["failed", "error"], "attempted"),
        (["passed"], "passed"),
        (["failed", "passed", "failed"], "passed"),  # a later failure does not take a pass back
    ],
)
def test_exercise_status(statuses, expected):
    assert exercise_status([attempt(s, i) for i, s in enumerate(statuses)]) == expected


def test_exercise_list_has_every_exercise_with_its_last_attempt():
    store = saved()
    store.record_exercise_attempt("gap", "failed", 3, 8, 0, "first", at=datetime(2026, 3, 1, 9, tzinfo=timezone.utc))
    store.record_exercise_attempt("gap", "error", 0, 8, 1, "second", at=datetime(2026, 3, 1, 10, tzinfo=timezone.utc))
    store.store.close()
    rows = {row.exercise.id: row for row in workflow.exercise_list(Progress(), NOW)}
    assert {"relu", "padding", "batchnorm", "gap", "attention"} <= set(rows)
    assert (rows["gap"].status, rows["gap"].attempts, rows["gap"].last.summary) == ("attempted", 2, "second")
    assert (rows["relu"].status, rows["relu"].attempts, rows["relu"].last) == ("new", 0, None)


# --- the workspace file -------------------------------------------------------------------------------------------


def test_workspace_file_defaults_to_the_data_folder(relu, isolated_home, tmp_path, monkeypatch):
    assert workflow.workspace_file(relu) == isolated_home / "exercises" / "relu.py"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert workflow.workspace_file(relu, Path("~/mine")) == tmp_path / "mine" / "relu.py"


def test_a_workspace_that_is_a_file_is_a_usage_error(relu, tmp_path):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("x", encoding="utf-8")
    with pytest.raises(DlquizError) as caught:
        workflow.workspace_file(relu, not_a_folder)
    assert caught.value.exit_code == 2 and "is not a folder" in caught.value.message
    result = CliRunner().invoke(app, ["exercise", "relu", "--workspace", str(not_a_folder)])
    assert result.exit_code == 2 and "is not a folder" in result.output and "Traceback" not in result.output


def test_open_workspace_creates_the_file_once(relu, tmp_path):
    path = tmp_path / "deep" / "relu.py"
    first = workflow.open_workspace(relu, path)
    assert (first.created, first.edited) == (True, False)
    assert path.read_text(encoding="utf-8") == relu.template()
    assert workflow.open_workspace(relu, path) == workflow.Workspace(path, created=False, edited=False)
    path.write_text("import numpy as np\n", encoding="utf-8")
    again = workflow.open_workspace(relu, path)
    assert (again.created, again.edited) == (False, True)
    assert path.read_text(encoding="utf-8") == "import numpy as np\n"  # opening never overwrites work


def test_reset_creates_a_missing_file_and_leaves_the_template_alone(relu, tmp_path):
    path = tmp_path / "relu.py"
    assert workflow.reset_workspace(relu, path, never_asked).outcome == "created"
    assert path.read_text(encoding="utf-8") == relu.template()
    assert workflow.reset_workspace(relu, path, never_asked).outcome == "unchanged"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["relu.py"]


def test_reset_keeps_the_work_unless_confirmed_then_keeps_a_bak(relu, tmp_path):
    path = tmp_path / "relu.py"
    path.write_text("# attempt 1\n", encoding="utf-8")
    assert workflow.reset_workspace(relu, path, lambda: False) == workflow.Reset("kept", path)
    assert path.read_text(encoding="utf-8") == "# attempt 1\n"
    assert not (tmp_path / "relu.py.bak").exists()

    done = workflow.reset_workspace(relu, path, lambda: True)
    assert done == workflow.Reset("restored", path, tmp_path / "relu.py.bak")
    assert path.read_text(encoding="utf-8") == relu.template()
    assert (tmp_path / "relu.py.bak").read_text(encoding="utf-8") == "# attempt 1\n"

    path.write_text("# attempt 2\n", encoding="utf-8")
    workflow.reset_workspace(relu, path, lambda: True)
    assert (tmp_path / "relu.py.bak").read_text(encoding="utf-8") == "# attempt 2\n"  # the latest version


def test_a_reset_that_cannot_save_the_backup_changes_nothing(relu, tmp_path):
    path = tmp_path / "relu.py"
    path.write_text("# my work\n", encoding="utf-8")
    (tmp_path / "relu.py.bak").mkdir()  # the backup cannot be written there
    with pytest.raises(DlquizError) as caught:
        workflow.reset_workspace(relu, path, lambda: True)
    assert "cannot write" in caught.value.message and "relu.py.bak" in caught.value.message
    assert path.read_text(encoding="utf-8") == "# my work\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["relu.py", "relu.py.bak"]  # no temporary file left


# --- hints and the solution ---------------------------------------------------------------------------------------


def test_hints_go_one_by_one_and_stop_at_the_last(relu):
    progress = Progress()
    total = len(relu.hints)
    shown = [workflow.next_hint(relu, progress, NOW) for _ in range(total + 2)]
    assert [hint.number for hint in shown] == [*range(1, total + 1), total, total]
    assert [hint.is_last for hint in shown][: total - 1] == [False] * (total - 1) and shown[-1].is_last
    assert shown[0].text == relu.hints[0] and shown[-1].text == relu.hints[-1]
    store = saved()
    assert store.hints_shown("relu") == total
    store.store.close()
    assert progress.open_now == 0


def test_an_exercise_without_hints_says_so_without_touching_the_database(relu):
    progress = Progress()
    assert workflow.next_hint(dataclasses.replace(relu, hints=()), progress, NOW) is None
    assert progress.openings == 0


def test_the_solution_needs_a_pass_or_a_yes(relu):
    progress = Progress()
    asked: list[int] = []

    def refuse() -> bool:
        asked.append(progress.open_now)
        return False

    assert workflow.reveal_solution(relu, progress, refuse, NOW) is None
    assert asked == [0]  # asked once, with the database closed while the learner thinks
    assert workflow.reveal_solution(relu, progress, lambda: True, NOW) == relu.solution()
    store = saved()
    store.record_exercise_attempt("relu", "failed", 20, 22, 0)
    store.record_exercise_attempt("relu", "passed", 22, 22, 0)
    store.record_exercise_review("relu", "solution", 1, 2, 0, at=NOW)  # the pass closed the review
    store.store.close()
    assert workflow.reveal_solution(relu, progress, never_asked, NOW) == relu.solution()


# --- grading ------------------------------------------------------------------------------------------------------


def test_grading_records_each_attempt_with_the_hints_seen(relu):
    progress = Progress()
    workflow.next_hint(relu, progress, NOW)
    failed = workflow.grade(relu, WRONG, progress, NOW)
    passed = workflow.grade(relu, SOLUTION, progress, NOW)
    assert (failed.status, passed.status) == ("failed", "passed")
    store = saved()
    recorded = store.exercise_attempts("relu")
    store.store.close()
    assert [(a.status, a.cases_passed, a.cases_total, a.hints_used) for a in recorded] == [
        ("failed", failed.cases_passed, 22, 1),
        ("passed", 22, 22, 1),
    ]
    assert recorded[0].summary == failed.summary() and "relu_grad" in recorded[0].summary
    assert exercise_status(recorded) == "passed"
    assert progress.open_now == 0
