"""Basic cards: front → back; ``reverse: true`` also asks back → front (a second review item)."""

from __future__ import annotations

import random
from typing import Any

from dlquiz.cards.anki_note import BASIC_NOTE, AnkiNote, html_field
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import REVEAL, Challenge
from dlquiz.cards.fields import TEXT_SCHEMA, Report, check_flag
from dlquiz.cards.types.base import CardType
from dlquiz.text import Text

REVERSE = "reverse"  # the variant of the back → front item


class Basic(CardType):
    name = "basic"
    required = ("front", "back")
    optional = ("reverse",)
    text_fields = ("front", "back")

    def check_fields(self, raw: Any, label: Text, report: Report) -> None:
        check_flag(raw, "reverse", label, report)

    def items(self, card: Card) -> list[ReviewItem]:
        if card.fields.get("reverse"):
            return [ReviewItem(card), ReviewItem(card, REVERSE)]
        return [ReviewItem(card)]

    def challenge(self, item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
        front, back = item.card.text("front").pick(lang), item.card.text("back").pick(lang)
        if item.variant == REVERSE:
            front, back = back, front
        return Challenge(item, REVEAL, front, back, self.extra(item.card, lang))

    def schema_fields(self) -> dict[str, Any]:
        return {"front": TEXT_SCHEMA, "back": TEXT_SCHEMA, "reverse": {"type": "boolean"}}

    def anki_note(self, card: Card, lang: str) -> AnkiNote:
        """Front, Back, Extra, Add Reverse: a non-empty Add Reverse makes Anki generate the back → front card too."""
        fields = (html_field(card.text("front"), lang), html_field(card.text("back"), lang))
        reverse = "y" if card.fields.get("reverse") else ""
        return AnkiNote(BASIC_NOTE, (*fields, html_field(card.text("extra"), lang), reverse))
