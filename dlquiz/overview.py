"""Per-deck counts for `dlquiz decks`: how many cards are new, learning, due and suspended."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from fsrs import State

from dlquiz import clock
from dlquiz.deck import Deck
from dlquiz.progress import Progress
from dlquiz.session import day_bounds
from dlquiz.settings import StudySettings
from dlquiz.store import Store


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
            if state and state["suspended"]:
                counts.suspended += 1
            elif state is None or state["last_review"] is None:
                counts.new += 1
            elif state["state"] in (State.Learning, State.Relearning):
                counts.learning += 1
            elif state["due"] < end_text:
                counts.due += 1
        result.append((deck, counts))
    return result
