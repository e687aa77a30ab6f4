"""Exercise progress: what the exercise workflow reads from and writes to the progress database, the status
(new / attempted / passed) derived from it, and the rules that turn a pass (or a give-up) into a scheduled review.

``grading`` never imports ``review`` (tests/test_architecture.py), so the database appears here only as the
``ExerciseProgress`` protocol, which ``dlquiz.review.repository.ProgressRepository`` satisfies; the command line opens
the store and hands it over (FSRS itself runs there: this module only says which rating a review gets). Every
read and write of exercise progress is one of the functions below, so moving them to another storage API means
changing this module only.
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


class Review(Protocol):
    """One scheduled review of an exercise (``dlquiz.review.records.ExerciseReview``)."""

    @property
    def exercise(self) -> str: ...
    @property
    def reviewed_at(self) -> datetime: ...
    @property
    def rating(self) -> int: ...  # the FSRS rating: 1 Again, 2 Hard, 3 Good, 4 Easy
    @property
    def rule(self) -> str: ...  # which of RULES gave it
    @property
    def due(self) -> datetime: ...  # when the exercise is due again


class Help(Protocol):
    """The help taken on an exercise (``dlquiz.review.records.ExerciseHelp``)."""

    @property
    def hints_shown(self) -> int: ...
    @property
    def last_shown_at(self) -> datetime | None: ...
    @property
    def solution_shown_at(self) -> datetime | None: ...
    @property
    def restarted_at(self) -> datetime | None: ...


class ExerciseProgress(Protocol):
    """The part of the progress database the exercise workflow uses."""

    def exercise_attempts(self, exercise: str | None = None) -> Sequence[Attempt]: ...

    def exercise_help(self, exercise: str) -> Help: ...

    def set_hints_shown(self, exercise: str, count: int, at: datetime | None = None) -> None: ...

    def mark_solution_shown(self, exercise: str, at: datetime) -> None: ...

    def mark_restarted(self, exercise: str, at: datetime) -> None: ...

    def record_exercise_attempt(
        self,
        exercise: str,
        status: str,
        cases_passed: int,
        cases_total: int,
        hints_used: int,
        summary: str = "",
        at: datetime | None = None,
    ) -> None: ...

    def exercise_reviews(self, exercise: str | None = None) -> Sequence[Review]: ...

    def record_exercise_review(
        self, exercise: str, rule: str, rating: int, attempts: int, hints_used: int, at: datetime | None = None
    ) -> Review: ...


# Opens the database for the length of a ``with`` block. The workflow opens it only around its reads and writes,
# never while grading runs or a prompt waits, so another dlquiz can use it meanwhile.
OpenProgress = Callable[[], AbstractContextManager[ExerciseProgress]]

# The outcome of a review and the FSRS rating it gives (1 Again, 2 Hard, 3 Good, 4 Easy), strictest first.
FIRST_TRY, CLEAN, HINTS, SOLUTION, GAVE_UP = "first-try", "clean", "hints", "solution", "gave-up"
RULES: dict[str, int] = {GAVE_UP: 1, SOLUTION: 1, HINTS: 2, CLEAN: 3, FIRST_TRY: 4}


def outcome_rule(tries: int, hints: int, solution_seen: bool) -> str:
    """The rule that rates a pass: the solution seen before it → Again; hints → Hard; no help → Good, and Easy
    when the pass was the first grading of this review."""
    if solution_seen:
        return SOLUTION
    if hints:
        return HINTS
    return FIRST_TRY if tries == 1 else CLEAN


@dataclass(frozen=True)
class ReviewWindow:
    """Which attempts and help belong to the exercise's current review, at one moment.

    Never reviewed: everything since the start, and the first pass (or a give-up) is its first review. Reviewed
    and due: what happened since it fell due; the next pass is its next review. Reviewed and not yet due: the time
    since its last review is practice, graded and recorded but leaving the schedule alone; its hints, solution and
    attempts do not count towards the next review.
    """

    start: datetime | None  # None: since the very first attempt
    open: bool  # the next pass (or a give-up) is a review
    due: datetime | None  # None: never reviewed


def review_window(reviews: Sequence[Review], now: datetime) -> ReviewWindow:
    if not reviews:
        return ReviewWindow(None, True, None)
    last = reviews[-1]
    if last.due <= now:
        return ReviewWindow(last.due, True, last.due)
    return ReviewWindow(last.reviewed_at, False, last.due)


def _within(moment: datetime | None, window: ReviewWindow) -> bool:
    """Whether help taken at ``moment`` belongs to the window (None: help from before dlquiz kept its time)."""
    if window.start is None:
        return True
    return moment is not None and moment >= window.start


def hints_in(help_taken: Help, window: ReviewWindow) -> int:
    return help_taken.hints_shown if _within(help_taken.last_shown_at, window) else 0


def solution_seen_in(help_taken: Help, window: ReviewWindow) -> bool:
    return help_taken.solution_shown_at is not None and _within(help_taken.solution_shown_at, window)


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
    due: datetime | None = None  # None: never reviewed
    is_due: bool = False


def exercise_rows(exercises: Sequence[Exercise], progress: ExerciseProgress, now: datetime) -> list[ExerciseRow]:
    """One row per exercise: the due ones first, the most overdue first, then the others in the catalog's order."""
    by_exercise: dict[str, list[Attempt]] = {}
    for attempt in progress.exercise_attempts():  # oldest first
        by_exercise.setdefault(attempt.exercise, []).append(attempt)
    due: dict[str, datetime] = {}
    for review in progress.exercise_reviews():  # oldest first: the last one is the schedule
        due[review.exercise] = review.due
    rows = []
    for exercise in exercises:
        mine = by_exercise.get(exercise.id, [])
        when = due.get(exercise.id)
        rows.append(
            ExerciseRow(
                exercise,
                exercise_status(mine),
                len(mine),
                mine[-1] if mine else None,
                when,
                when is not None and when <= now,
            )
        )
    overdue = sorted((row for row in rows if row.is_due), key=lambda row: (row.due, row.exercise.order))
    return overdue + [row for row in rows if not row.is_due]


def window_of(progress: ExerciseProgress, exercise_id: str, now: datetime) -> ReviewWindow:
    return review_window(progress.exercise_reviews(exercise_id), now)


def take_next_hint(progress: ExerciseProgress, exercise_id: str, total: int, now: datetime) -> int:
    """Count one more hint as shown in this review (never past the last) and return its number, 1-based: each
    review starts again at the first hint."""
    window = window_of(progress, exercise_id, now)
    shown = min(hints_in(progress.exercise_help(exercise_id), window) + 1, total)
    progress.set_hints_shown(exercise_id, shown, now)
    return shown


def record_attempt(progress: ExerciseProgress, exercise_id: str, result: GradeResult, now: datetime) -> Review | None:
    """Save a grading with the hints seen in this review; a pass in an open review is also the review, rated by
    ``outcome_rule`` (returned; None when this grading made no review)."""
    window = window_of(progress, exercise_id, now)
    help_taken = progress.exercise_help(exercise_id)
    hints = hints_in(help_taken, window)
    progress.record_exercise_attempt(
        exercise_id, result.status, result.cases_passed, result.cases_total, hints, result.summary(), at=now
    )
    if result.status != "passed" or not window.open:
        return None
    tries = _tries(progress, exercise_id, window)
    rule = outcome_rule(tries, hints, solution_seen_in(help_taken, window))
    return progress.record_exercise_review(exercise_id, rule, RULES[rule], tries, hints, at=now)


def give_up(progress: ExerciseProgress, exercise_id: str, now: datetime) -> Review | None:
    """End the open review without a pass: rated Again. None when no review is open (the exercise is not due)."""
    window = window_of(progress, exercise_id, now)
    if not window.open:
        return None
    hints = hints_in(progress.exercise_help(exercise_id), window)
    tries = _tries(progress, exercise_id, window)
    return progress.record_exercise_review(exercise_id, GAVE_UP, RULES[GAVE_UP], tries, hints, at=now)


def _tries(progress: ExerciseProgress, exercise_id: str, window: ReviewWindow) -> int:
    attempts = progress.exercise_attempts(exercise_id)
    return sum(1 for attempt in attempts if window.start is None or attempt.attempted_at >= window.start)
