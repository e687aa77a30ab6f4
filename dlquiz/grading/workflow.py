"""The exercise workflow behind `dlquiz exercise`: the learner's workspace file (created from the template, reset
with a ``.bak`` of their version), progressive hints, the solution gate, and grading with the attempt recorded.

The command line parses and renders; the decisions are here. The database is reached through ``attempts`` only,
opened by the caller's ``open_progress`` for a moment at a time. Nothing heavy is imported at module level: listing
exercises and showing hints must not load numpy or torch (the grader loads them when it runs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dlquiz import fsutil, paths
from dlquiz.errors import DlquizError
from dlquiz.grading import attempts
from dlquiz.grading.attempts import ExerciseRow, OpenProgress
from dlquiz.grading.catalog import Exercise, list_exercises

if TYPE_CHECKING:
    from dlquiz.grading.grader import GradeResult
    from dlquiz.text import Text

BACKUP_SUFFIX = ".bak"


def exercise_list(open_progress: OpenProgress) -> list[ExerciseRow]:
    """Every exercise with its status, number of attempts and last attempt."""
    exercises = list_exercises()
    with open_progress() as progress:
        return attempts.exercise_rows(exercises, progress)


# --- the workspace file ---------------------------------------------------------------------------------------------


def workspace_file(exercise: Exercise, folder: Path | None = None) -> Path:
    """Where the learner's file for ``exercise`` lives: ``folder`` if given, else the data folder's exercises/."""
    folder = Path(folder).expanduser() if folder else paths.data_dir() / "exercises"
    if folder.exists() and not folder.is_dir():
        raise DlquizError(f"--workspace {folder} is not a folder", "See `dlquiz exercise --help`.", exit_code=2)
    return folder / f"{exercise.id}.py"


@dataclass(frozen=True)
class Workspace:
    path: Path
    created: bool  # just made from the template
    edited: bool  # differs from the template: there is something to grade


def open_workspace(exercise: Exercise, path: Path) -> Workspace:
    """The learner's file, created from the template the first time."""
    created = not path.exists()
    template = exercise.template()
    if created:
        _write(path, template)
    return Workspace(path, created, edited=_read(path) != template)


@dataclass(frozen=True)
class Reset:
    outcome: str  # created | unchanged | kept | restored
    path: Path
    backup: Path | None = None  # where the learner's previous version went (restored only)


def reset_workspace(exercise: Exercise, path: Path, confirm: Callable[[], bool]) -> Reset:
    """Put the template back. An edited file is replaced only if ``confirm()`` says yes, and is kept first as
    ``NAME.py.bak`` (replacing an older .bak): the learner never loses work they did not agree to lose."""
    template = exercise.template()
    if not path.exists():
        _write(path, template)
        return Reset("created", path)
    current = _read(path)
    if current == template:
        return Reset("unchanged", path)
    if not confirm():
        return Reset("kept", path)
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    _write(backup, current)  # first, so an interruption between the two writes loses nothing
    _write(path, template)
    return Reset("restored", path, backup)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise DlquizError(f"cannot read {path}: {error.strerror or error}", "Check the file's permissions.") from None


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fsutil.write_text_atomic(path, text)
    except OSError as error:
        raise DlquizError(
            f"cannot write {path}: {error.strerror or error}", "Choose a writable folder with --workspace DIR."
        ) from None


# --- hints and the solution -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hint:
    number: int  # 1-based
    total: int
    text: Text

    @property
    def is_last(self) -> bool:
        return self.number == self.total


def next_hint(exercise: Exercise, open_progress: OpenProgress) -> Hint | None:
    """The next hint, counted as shown (asking again after the last one repeats it); None without hints."""
    if not exercise.hints:
        return None
    with open_progress() as progress:
        number = attempts.take_next_hint(progress, exercise.id, len(exercise.hints))
    return Hint(number, len(exercise.hints), exercise.hints[number - 1])


def reveal_solution(exercise: Exercise, open_progress: OpenProgress, confirm: Callable[[], bool]) -> str | None:
    """The reference solution once the learner has passed; before that only if ``confirm()`` says yes, else None."""
    with open_progress() as progress:
        passed = attempts.has_passed(progress, exercise.id)
    if not passed and not confirm():
        return None
    return exercise.solution()


# --- grading ----------------------------------------------------------------------------------------------------------


def grade(exercise: Exercise, path: Path, open_progress: OpenProgress) -> GradeResult:
    """Grade ``path`` against PyTorch and record the attempt (with the hints seen so far)."""
    from dlquiz.grading.grader import grade_file  # imports the grading machinery only when a file is graded

    result = grade_file(exercise, path)
    try:
        with open_progress() as progress:
            attempts.record_attempt(progress, exercise.id, result)
    except DlquizError as error:  # read-only, full disk, locked: the grade was computed, so it is still shown
        raise NotRecorded(result, error) from None
    return result


class NotRecorded(DlquizError):
    """A grading that could not be saved: ``result`` is still the learner's to see, ``error`` says why."""

    def __init__(self, result: GradeResult, error: DlquizError) -> None:
        super().__init__(f"this grading was not recorded: {error.message}", error.hint, error.exit_code)
        self.result = result
