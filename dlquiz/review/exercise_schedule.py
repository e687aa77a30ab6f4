"""When an exercise comes back: its FSRS schedule, built from its reviews (one per pass or give-up).

An exercise is scheduled by the cards' scheduler with the cards' settings (desired retention, maximum interval,
fuzz, and any optimised parameters), with one difference: no learning steps. A card's steps (1m, 10m) ask again
within minutes; an exercise takes a quarter of an hour to write, and writing it again ten minutes after passing tests
short-term memory only. So a review goes straight to days: Again 1 day, Good 2 days, Easy 8 days for a first review
with the default parameters, growing from there.

No SQL here (``repository`` stores the reviews) and no terminal code (the CLI draws these figures).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fsrs import Rating, Scheduler

from dlquiz.review.records import ExerciseReview, SchedulingState
from dlquiz.review.scheduling import make_scheduler, new_card
from dlquiz.review.settings import StudySettings


def exercise_scheduler(settings: StudySettings) -> Scheduler:
    scheduler = make_scheduler(settings)
    scheduler.learning_steps = ()
    scheduler.relearning_steps = ()
    return scheduler


def next_schedule(
    scheduler: Scheduler, before: SchedulingState | None, rating: Rating, at: datetime
) -> SchedulingState:
    """The schedule after one review rated ``rating`` at ``at`` (``before`` None: the exercise's first review)."""
    card = new_card(at) if before is None else before.to_card()
    after, _log = scheduler.review_card(card, rating, review_datetime=at)
    return SchedulingState.from_card(after)


@dataclass(frozen=True)
class DueExercise:
    exercise: str
    due: datetime


def due_exercises(
    last_reviews: Iterable[ExerciseReview], now: datetime, known: set[str] | None = None
) -> list[DueExercise]:
    """The exercises due at ``now``, the most overdue first (only those in ``known`` when given: an exercise
    folder that was removed is not asked for)."""
    due = [
        DueExercise(review.exercise, review.due)
        for review in last_reviews
        if review.due <= now and (known is None or review.exercise in known)
    ]
    return sorted(due, key=lambda item: (item.due, item.exercise))


def forecast(last_reviews: Iterable[ExerciseReview], ends: list[datetime], first_day: date) -> list[tuple[date, int]]:
    """Exercises falling due on each study day ending at ``ends`` (day 0 includes the overdue ones)."""
    counts = [0] * len(ends)
    for review in last_reviews:
        slot = bisect_right(ends, review.due)
        if slot < len(ends):
            counts[slot] += 1
    return [(first_day + timedelta(days=i), count) for i, count in enumerate(counts)]
