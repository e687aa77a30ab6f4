"""Per-deck counts for `dlquiz decks`: how many cards are new, learning, due and suspended."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dlquiz.review import clock
from dlquiz.cards.deck import Deck
from dlquiz.review.progress import Progress
from dlquiz.review.session import LEARNING, NEW, RELEARNING, day_bounds, queue_of
from dlquiz.review.settings import StudySettings
from dlquiz.review.store import Store


@dataclass
class DeckCounts:
    items: int = 0
    new: int = 0
    learning: int = 0
    due: int = 0
    suspended: int = 0
    tags: Counter = field(default_factory=Counter)


def deck_counts(store: Store, decks: list[Deck]) -> list[tuple[Deck, DeckCounts]]:
    progress = Progress(store)
    settings = StudySettings(store.settings())
    states = progress.states([deck.id for deck in decks])
    _start, day_end = day_bounds(clock.now(), settings["day-starts-at"])
    end_text = clock.to_text(day_end)
    result = []
    for deck in decks:
        counts = DeckCounts()
        for card in deck.cards:
            counts.tags.update(card.tags)
        for item in deck.items():
            counts.items += 1
            state = states.get((deck.id, item.key))
            queue = queue_of(state)
            if state and state["suspended"]:
                counts.suspended += 1
            elif queue == NEW:
                counts.new += 1
            elif queue in (LEARNING, RELEARNING):
                counts.learning += 1
            elif state["due"] < end_text:
                counts.due += 1
        result.append((deck, counts))
    return result
