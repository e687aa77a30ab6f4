"""What a card type is: the one class that knows everything about one kind of card.

A card type owns its fields (which exist, which are required, which are text), their validation, the review items a
card gives, the challenge (what is shown and how an answer is judged), its JSON Schema and its Anki note. Deck loading,
`dlquiz deck schema`, the study screen and `dlquiz export anki` reach it only through the registry
(``dlquiz.cards.types``), so a card type is never handled by another type's code.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from dlquiz.cards.anki_note import AnkiNote
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import Challenge
from dlquiz.cards.fields import Report, check_text, field_of, line_of
from dlquiz.text import Text


class CardType(ABC):
    """One kind of card. Subclasses set ``name``, ``required``, ``optional``, ``text_fields`` and implement the rest."""

    name: ClassVar[str]  # the YAML `type:` value
    required: ClassVar[tuple[str, ...]]  # fields a card of this type must have, besides the common id/type/tags/…
    optional: ClassVar[tuple[str, ...]] = ()
    text_fields: ClassVar[tuple[str, ...]] = ()  # fields that are text: a string or {zh: …, en: …}

    @property
    def fields(self) -> frozenset[str]:
        """Every field of this type's own (the deck adds id, type, tags, exercise, extra and source)."""
        return frozenset(self.required + self.optional)

    def validate(self, raw: Any, label: Text, report: Report) -> None:
        """Report every problem in the fields of this type, with its line; ``label`` names the card in messages.

        ``raw`` is the card's mapping from yamlload (``raw.line``, ``raw.line_of(key)``); unknown fields are already
        reported by the deck. Override ``check_fields`` for what is particular to the type. Every problem is reported
        in English and Chinese: ``report(line, english, chinese)``, each starting with the card's label.
        """
        for name in self.required:
            if name not in raw:
                report(
                    raw.line,
                    f"{label.en}: a {self.name} card needs '{name}'",
                    f"{label.zh}：{self.name} 卡片需要 '{name}'",
                )
        for name in self.text_fields:
            if name in raw:
                check_text(raw[name], line_of(raw, name), field_of(label, name), report)
        self.check_fields(raw, label, report)

    def check_fields(self, raw: Any, label: Text, report: Report) -> None:
        """The checks particular to this type (the required and text fields are checked already); none by default."""
        return None

    def items(self, card: Card) -> list[ReviewItem]:
        """The review items a valid card gives; progress is kept per item. One by default."""
        return [ReviewItem(card)]

    @abstractmethod
    def challenge(self, item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
        """What the learner sees for ``item`` in ``lang`` ('zh', 'en' or 'both'), and how an answer is judged.

        ``rng`` is for what changes between reviews (option order, drawn numbers).
        """

    @abstractmethod
    def schema_fields(self) -> dict[str, Any]:
        """The JSON Schema of this type's own fields (property name → schema), for `dlquiz deck schema`."""

    def schema_rules(self) -> dict[str, Any]:
        """Extra JSON Schema keywords across this type's fields (e.g. ``dependentSchemas``); none by default."""
        return {}

    @abstractmethod
    def anki_note(self, card: Card, lang: str) -> AnkiNote:
        """The Anki note for a valid card, fields in ``lang``; Anki should make as many cards as ``items`` gives."""

    @staticmethod
    def extra(card: Card, lang: str) -> str:
        """The card's common ``extra`` text (shown after the answer) in ``lang``."""
        return card.text("extra").pick(lang)
