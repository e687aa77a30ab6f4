"""The exercise workflow behind `dlquiz exercise`: the learner's workspace file (created from the template, reset
with a ``.bak`` of their version, restarted from the template when a review falls due), progressive hints, the
solution gate, giving up, and grading with the attempt (and the review it may make) recorded.

The command line parses and renders; the decisions are here. The database is reached through ``attempts`` only,
opened by the caller's ``open_progress`` for a moment at a time. Nothing heavy is imported at module level: listing
exercises and showing hints must not load numpy or torch (the grader loads them when it runs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dlquiz import fsutil, paths
from dlquiz.errors import DlquizError
from dlquiz.grading import attempts
from dlquiz.grading.attempts import ExerciseRow, OpenProgress, Review
from dlquiz.grading.catalog import Exercise, list_exercises

if TYPE_CHECKING:
    from dlquiz.grading.grader import GradeResult
    from dlquiz.grading.runner import Run
    from dlquiz.text import RawText

BACKUP_SUFFIX = ".bak"


def exercise_list(open_progress: OpenProgress, now: datetime) -> list[ExerciseRow]:
    """Every exercise with its status, attempts, last attempt and due date: the due ones first, most overdue first."""
    exercises = list_exercises()
    with open_progress() as progress:
        return attempts.exercise_rows(exercises, progress, now)


def most_overdue(open_progress: OpenProgress, now: datetime) -> ExerciseRow | None:
    """The exercise `dlquiz exercise --next` opens; None when none is due."""
    return next((row for row in exercise_list(open_progress, now) if row.is_due), None)


def next_due(open_progress: OpenProgress, now: datetime) -> ExerciseRow | None:
    """The exercise that falls due first after ``now`` (to say when --next will have something)."""
    later = [row for row in exercise_list(open_progress, now) if row.due is not None and not row.is_due]
    return min(later, key=lambda row: (row.due, row.exercise.order), default=None)


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


@dataclass(frozen=True)
class Restart:
    """A due exercise's workspace put back to the template; the learner's previous file kept as ``previous``."""

    path: Path
    previous: Path | None  # None: the file was missing or still the template, nothing to keep


def restart_if_due(exercise: Exercise, path: Path, open_progress: OpenProgress, now: datetime) -> Restart | None:
    """Start a due review from the template, once per review: the learner recalls the solution instead of
    re-running the file that passed last time. That file is kept beside it as ``NAME.DATE.py`` (the date of the
    last review; ``.2``, ``.3`` … if that name is taken), never overwritten. None when nothing was restarted: the
    exercise is not due, never reviewed, or this review restarted it already (the learner's new work stays)."""
    with open_progress() as progress:
        reviews = progress.exercise_reviews(exercise.id)
        window = attempts.review_window(reviews, now)
        restarted = progress.exercise_help(exercise.id).restarted_at
    already = restarted is not None and window.start is not None and restarted >= window.start
    if not reviews or not window.open or already:
        return None
    template = exercise.template()
    previous = None
    if path.exists() and _read(path) != template:
        previous = _dated_name(path, exercise.id, reviews[-1].reviewed_at)
        _write(previous, _read(path))  # first, so an interruption between the two writes loses nothing
    _write(path, template)
    with open_progress() as progress:
        progress.mark_restarted(exercise.id, now)
    return Restart(path, previous)


def _dated_name(path: Path, exercise_id: str, when: datetime) -> Path:
    stem = f"{exercise_id}.{when.astimezone():%Y-%m-%d}"
    candidate, number = path.with_name(f"{stem}.py"), 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{stem}.{number}.py")
    return candidate


def previous_file(exercise: Exercise, path: Path) -> Path | None:
    """The newest file kept by ``restart_if_due`` beside the workspace file; None if there is none."""
    pattern = re.compile(rf"^{re.escape(exercise.id)}\.(\d{{4}}-\d{{2}}-\d{{2}})(?:\.(\d+))?\.py$")
    kept = []
    if path.parent.is_dir():
        for candidate in path.parent.iterdir():
            match = pattern.match(candidate.name)
            if match and candidate.is_file():
                kept.append(((match.group(1), int(match.group(2) or 1)), candidate))
    return max(kept, key=lambda item: item[0])[1] if kept else None


def read_file(path: Path) -> str:
    return _read(path)


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
    text: RawText  # zh/en as exercise.yaml writes it

    @property
    def is_last(self) -> bool:
        return self.number == self.total


def next_hint(exercise: Exercise, open_progress: OpenProgress, now: datetime) -> Hint | None:
    """The next hint of this review, counted as shown (asking again after the last one repeats it); None without
    hints. Each review starts again at the first hint."""
    if not exercise.hints:
        return None
    with open_progress() as progress:
        number = attempts.take_next_hint(progress, exercise.id, len(exercise.hints), now)
    return Hint(number, len(exercise.hints), exercise.hints[number - 1])


def solution_needs_asking(exercise: Exercise, open_progress: OpenProgress, now: datetime) -> bool:
    """True while a review is open (never passed, or due again): seeing the solution then rates the pass Again."""
    with open_progress() as progress:
        return attempts.window_of(progress, exercise.id, now).open


def reveal_solution(
    exercise: Exercise, open_progress: OpenProgress, confirm: Callable[[], bool], now: datetime
) -> str | None:
    """The reference solution when no review is open (passed, not due yet); during a review only if ``confirm()``
    says yes, and then the review's pass is rated Again. None when the learner said no."""
    if solution_needs_asking(exercise, open_progress, now) and not confirm():
        return None
    with open_progress() as progress:
        progress.mark_solution_shown(exercise.id, now)
    return exercise.solution()


def give_up(exercise: Exercise, open_progress: OpenProgress, now: datetime) -> Review | None:
    """End the open review without a pass, rated Again (it comes back soon); None when the exercise is not due."""
    with open_progress() as progress:
        review = attempts.give_up(progress, exercise.id, now)
        if review is not None:
            progress.mark_solution_shown(exercise.id, now)  # giving up shows the solution
    return review


# --- grading ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Graded:
    result: GradeResult
    review: Review | None  # the review this grading made (a pass in an open review), else None


def grade(exercise: Exercise, path: Path, open_progress: OpenProgress, now: datetime) -> GradeResult:
    """Grade ``path`` against PyTorch and record the attempt (with the hints seen so far)."""
    return grade_and_review(exercise, path, open_progress, now).result


def grade_and_review(
    exercise: Exercise,
    path: Path,
    open_progress: OpenProgress,
    now: datetime,
    while_running: Callable[[], object] | None = None,
) -> Graded:
    """Grade ``path`` against PyTorch and record the attempt; a pass in an open review also records the review.
    ``now`` is the progress clock's time (``dlquiz.review.clock``, which honours ``DLQUIZ_NOW``); ``while_running``
    is called while the learner's process runs (``grader.grade_file``)."""
    learner = _launch(exercise, path)  # starts (and imports numpy) while we import the grading machinery below
    try:
        from dlquiz.grading.grader import grade_file
    except BaseException:
        if learner is not None:
            learner.cancel()
        raise
    result = grade_file(exercise, path, launched=learner, while_running=while_running)
    try:
        with open_progress() as progress:
            review = attempts.record_attempt(progress, exercise.id, result, now)
    except DlquizError as error:  # read-only, full disk, locked: the grade was computed, so it is still shown
        raise NotRecorded(result, error) from None
    return Graded(result, review)


def _launch(exercise: Exercise, path: Path) -> Run | None:
    """The learner's process for ``path``, started now: it waits for its job while dlquiz imports numpy and builds the
    cases, so the two start-ups overlap. None when ``path`` is no file (``grade_file`` then says what is wrong)."""
    from dlquiz.grading import runner

    path = Path(path).expanduser()
    if not path.is_file():
        return None
    try:
        return runner.launch(
            path,
            time_limit_s=exercise.time_limit_s,
            memory_limit_mb=exercise.memory_limit_mb,
            allow_torch=exercise.allow_torch,
        )
    except OSError:  # grade_file starts it again and reports what went wrong
        return None


class NotRecorded(DlquizError):
    """A grading that could not be saved: ``result`` is still the learner's to see, ``error`` says why."""

    def __init__(self, result: GradeResult, error: DlquizError) -> None:
        super().__init__(f"this grading was not recorded: {error.message}", error.hint, error.exit_code)
        self.result = result


def next_unpassed(exercise: Exercise, open_progress: OpenProgress, now: datetime) -> Exercise | None:
    """The exercise to suggest after passing ``exercise``: the next one by order not passed yet (wrapping round to
    earlier ones); None once every exercise is passed."""
    rows = exercise_list(open_progress, now)
    ids = [row.exercise.id for row in rows]
    start = ids.index(exercise.id) + 1 if exercise.id in ids else 0
    for row in rows[start:] + rows[:start]:
        if row.status != attempts.PASSED and row.exercise.id != exercise.id:
            return row.exercise
    return None
