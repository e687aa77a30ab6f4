"""FSRS scheduling through py-fsrs: building the scheduler from settings, and previewing each rating.

We never re-implement FSRS. Stored states become ``fsrs.Card`` and back through ``repository.SchedulingState``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card, Rating, Scheduler

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
    return outcomes


def format_interval(interval: timedelta) -> str:
    """Anki-style short interval: 45s, 10m, 3h, 4d, 2mo, 1.5y."""
    seconds = max(0, interval.total_seconds())
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
