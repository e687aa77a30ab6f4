"""A card as the deck author wrote it, and the review items it gives.

A *card* is what the deck author writes; a *review item* is one thing the learner answers. Most cards give one item;
a ``reverse`` basic card gives two, and a cloze card one per deletion (its card type decides).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlquiz.text import Text


@dataclass
class Card:
    deck_id: str
    id: str
    type: str  # the name of a registered card type (dlquiz.cards.types)
    line: int
    fields: dict[str, Any]  # the card's YAML mapping, validated by its card type
    tags: tuple[str, ...] = ()
    exercise: str | None = None

    def text(self, name: str) -> Text:
        """A text field (string or {zh, en}) as Text; empty when the card does not have it."""
        return Text.of(self.fields.get(name))


@dataclass(frozen=True)
class ReviewItem:
    """One reviewable thing. ``key`` is the progress key within the deck (stable across text edits)."""

    card: Card
    variant: str | None = None  # None, or what the card type names the item: "reverse", a cloze number such as "c2"

    @property
    def key(self) -> str:
        return self.card.id if self.variant is None else f"{self.card.id}::{self.variant}"

    @property
    def deck_id(self) -> str:
        return self.card.deck_id
