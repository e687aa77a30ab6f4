"""Exercise progress: what the exercise workflow reads from and writes to the progress database, and the status
(new / attempted / passed) derived from it.

``grading`` never imports ``review`` (tests/test_architecture.py), so the database appears here only as the
``ExerciseProgress`` protocol, which ``dlquiz.review.repository.ProgressRepository`` satisfies; the command line opens the store and
hands it over. Every read and write of exercise progress is one of the functions below, so moving them to another
storage API means changing this module only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dlquiz.grading.catalog import Exercise
    from dlquiz.grading.grader import GradeResult

NEW, ATTEMPTED, PASSED = "new", "attempted", "passed"
STATUSES = (NEW, ATTEMPTED, PASSED)


class Attempt(Protocol):
    """One grading of an exercise, as recorded (``dlquiz.review.store.ExerciseAttempt``)."""

    @property
    def exercise(self) -> str: ...
    @property
    def attempted_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...  # the grader's: passed | failed | error
    @property
    def cases_passed(self) -> int: ...
    @property
    def cases_total(self) -> int: ...
    @property
    def hints_used(self) -> int: ...
    @property
    def summary(self) -> str: ...


class ExerciseProgress(Protocol):
    """The part of the progress database the exercise workflow uses."""

    def exercise_attempts(self, exercise: str | None = None) -> Sequence[Attempt]: ...

    def hints_shown(self, exercise: str) -> int: ...

    def set_hints_shown(self, exercise: str, count: int) -> None: ...

    def record_exercise_attempt(
        self, exercise: str, status: str, cases_passed: int, cases_total: int, hints_used: int, summary: str = ""
    ) -> None: ...


# Opens the database for the length of a ``with`` block. The workflow opens it only around its reads and writes,
# never while grading runs or a prompt waits, so another dlquiz can use it meanwhile.
OpenProgress = Callable[[], AbstractContextManager[ExerciseProgress]]


def exercise_status(attempts: Sequence[Attempt]) -> str:
    """passed once any attempt passed (a later failure does not take it back); attempted after any grading; else new."""
    if any(attempt.status == "passed" for attempt in attempts):
        return PASSED
    return ATTEMPTED if attempts else NEW


@dataclass(frozen=True)
class ExerciseRow:
    """One line of the exercise list."""

    exercise: Exercise
    status: str
    attempts: int
    last: Attempt | None  # the most recent grading


def exercise_rows(exercises: Sequence[Exercise], progress: ExerciseProgress) -> list[ExerciseRow]:
    by_exercise: dict[str, list[Attempt]] = {}
    for attempt in progress.exercise_attempts():  # oldest first
        by_exercise.setdefault(attempt.exercise, []).append(attempt)
    rows = []
    for exercise in exercises:
        mine = by_exercise.get(exercise.id, [])
        rows.append(ExerciseRow(exercise, exercise_status(mine), len(mine), mine[-1] if mine else None))
    return rows


def has_passed(progress: ExerciseProgress, exercise_id: str) -> bool:
    return exercise_status(progress.exercise_attempts(exercise_id)) == PASSED


def take_next_hint(progress: ExerciseProgress, exercise_id: str, total: int) -> int:
    """Count one more hint as shown (never past the last) and return its number, 1-based."""
    shown = min(progress.hints_shown(exercise_id) + 1, total)
    progress.set_hints_shown(exercise_id, shown)
    return shown


def record_attempt(progress: ExerciseProgress, exercise_id: str, result: GradeResult) -> None:
    """Save a grading, with the number of hints seen before it."""
    progress.record_exercise_attempt(
        exercise_id,
        result.status,
        result.cases_passed,
        result.cases_total,
        progress.hints_shown(exercise_id),
        result.summary(),
    )
