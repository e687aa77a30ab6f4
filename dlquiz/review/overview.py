"""Per-deck counts for `dlquiz decks`: what `dlquiz study DECK` would offer now, and how many cards are suspended.

The counts come from ``day`` (the same queue and limits as the study screen's header): new cards within today's
new-card limit, learning cards and reviews due before the study day ends (reviews within the review limit); buried
cards are left out until their day is over. The limits are shared by all decks, so each row shows what studying that
deck alone would offer. Siblings of a card answered today are buried as the study screen buries them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from dlquiz.cards.deck import Deck
from dlquiz.review import clock
from dlquiz.review.day import Allowance, Queues, Siblings, StudyDay
from dlquiz.review.exercise_schedule import DueExercise, due_exercises
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.settings import StudySettings
from dlquiz.review.store import Store


@dataclass
class DeckCounts:
    items: int = 0
    new: int = 0
    learning: int = 0
    due: int = 0
    suspended: int = 0
    tags: Counter[str] = field(default_factory=Counter)


def deck_counts(store: Store, decks: list[Deck], now: datetime | None = None) -> list[tuple[Deck, DeckCounts]]:
    now = now or clock.now()
    repository = ProgressRepository(store)
    settings = StudySettings(store.settings())
    day = StudyDay.of(settings, now)
    allowance = Allowance.today(repository, settings, day)
    siblings = Siblings.today(repository, settings, day)
    states = repository.card_states([deck.id for deck in decks])
    result = []
    for deck in decks:
        items = deck.items()
        queues = Queues.build(items, states, day, now, siblings)
        today = queues.counts(allowance)
        counts = DeckCounts(len(items), today.new, today.learning, today.review, queues.suspended)
        for card in deck.cards:
            counts.tags.update(card.tags)
        result.append((deck, counts))
    return result


def exercises_due(store: Store, now: datetime | None = None) -> list[DueExercise]:
    """The exercises due now, the most overdue first (for `dlquiz study`'s summary and `dlquiz decks`). Exercises
    whose folder is gone are left out; if the catalog cannot be read, every scheduled one is listed."""
    from dlquiz.errors import DlquizError
    from dlquiz.grading.catalog import list_exercises  # reads exercise.yaml files only: no numpy, no torch

    try:
        known: set[str] | None = {exercise.id for exercise in list_exercises()}
    except DlquizError:
        known = None
    reviews = ProgressRepository(store).last_exercise_reviews().values()
    return due_exercises(reviews, now or clock.now(), known)
