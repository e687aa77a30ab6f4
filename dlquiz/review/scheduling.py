"""FSRS scheduling through py-fsrs: building the scheduler from settings, and previewing each rating.

We never re-implement FSRS. Stored states become ``fsrs.Card`` and back through ``repository.SchedulingState``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

from dlquiz.review.settings import StudySettings

RATINGS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)


def make_scheduler(settings: StudySettings) -> Scheduler:
    return Scheduler(
        parameters=settings["fsrs-parameters"],  # py-fsrs's defaults until `dlquiz optimize` stores fitted ones
        desired_retention=settings["desired-retention"],
        learning_steps=settings["learning-steps"],
        relearning_steps=settings["relearning-steps"],
        maximum_interval=settings["maximum-interval"],
        enable_fuzzing=settings["fuzz"],
    )


def new_card(now: datetime) -> Card:
    # card_id is ours to keep elsewhere; a fixed value avoids py-fsrs's id-generating sleep.
    return Card(card_id=0, due=now)


@dataclass(frozen=True)
class Outcome:
    rating: Rating
    card: Card
    interval: timedelta


def preview(scheduler: Scheduler, card: Card, now: datetime) -> dict[Rating, Outcome]:
    """What each rating would do. The chosen outcome is stored as is, so the interval shown is the one applied
    (with fuzzing on, reviewing twice could otherwise give two different intervals)."""
    outcomes: dict[Rating, Outcome] = {}
    for rating in RATINGS:
        after, _log = scheduler.review_card(card, rating, review_datetime=now)
        outcomes[rating] = Outcome(rating, after, after.due - now)
    return _passing_intervals_increase(outcomes, now, scheduler.maximum_interval)


def _passing_intervals_increase(
    outcomes: dict[Rating, Outcome], now: datetime, maximum_days: int
) -> dict[Rating, Outcome]:
    """Hard < Good < Easy by at least a day where they lead to review, as Anki does with FSRS.

    py-fsrs rounds each interval to whole days and fuzzes each on its own, so a young review card can offer
    `Hard 1d · Good 1d · Easy 1d`, and fuzz can even put Good after Easy. Each passing interval is raised to one day
    more than the one before it (never past the maximum interval); only the due date moves, stability and
    difficulty stay py-fsrs's own.
    """
    previous_days: int | None = None
    for rating in (Rating.Hard, Rating.Good, Rating.Easy):
        outcome = outcomes[rating]
        if outcome.card.state != State.Review:
            continue
        days = round(outcome.interval / timedelta(days=1))
        if previous_days is not None and days <= previous_days:
            days = min(previous_days + 1, maximum_days)
            moved = copy.copy(outcome.card)
            moved.due = now + timedelta(days=days)
            outcomes[rating] = Outcome(rating, moved, moved.due - now)
        previous_days = max(days, previous_days or 0)
    return outcomes


def format_interval(interval: timedelta, in_days: bool = False) -> str:
    """Anki-style short interval: 45s, 10m, 3h, 4d, 2mo, 1.5y (``in_days``: 45d, 46d where 1.5mo would hide which
    is longer)."""
    seconds = max(0, interval.total_seconds())
    if in_days and seconds >= 86400:
        return f"{int(round(seconds / 86400))}d"
    if seconds < 60:
        return f"{int(round(seconds))}s"
    if seconds < 3600:
        return f"{int(round(seconds / 60))}m"
    if seconds < 86400:
        return f"{int(round(seconds / 3600))}h"
    days = seconds / 86400
    if days < 30:
        return f"{int(round(days))}d"
    if days < 365:
        months = days / 30
        return f"{months:.0f}mo" if months >= 10 or months.is_integer() else f"{months:.1f}mo"
    return f"{days / 365:.1f}y"
