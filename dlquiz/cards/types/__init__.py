"""The card-type registry: every card type by its YAML name, and the dispatch to it.

Deck loading, `dlquiz deck schema`, the study screen's challenge and `dlquiz export anki` find a card's type here and
nowhere else. A name that is not registered is a deck problem when loading, and ``UnknownCardType`` anywhere else:
it never falls through into another type's code.

Adding a card type: write its module next to these (a ``CardType`` subclass, see ``base.py``), register it below in
one line, and test it.
"""

from __future__ import annotations

import random

from dlquiz.cards.anki_note import AnkiNote
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import Challenge
from dlquiz.cards.types.base import CardType
from dlquiz.cards.types.basic import Basic
from dlquiz.cards.types.choice import Choice
from dlquiz.cards.types.code import Code
from dlquiz.cards.types.cloze import Cloze
from dlquiz.cards.types.numeric import Numeric
from dlquiz.cards.types.typed import Typed
from dlquiz.errors import DlquizError

_REGISTRY: dict[str, CardType] = {}


class UnknownCardType(DlquizError):
    def __init__(self, name: object) -> None:
        known = ", ".join(names())
        super().__init__(
            f"unknown card type {name!r} (known: {known})",
            "Check the card's `type:`; `dlquiz deck check FILE` lists every problem of a deck.",
            zh=(
                f"未知的卡片类型 {name!r}（已有的类型：{known}）",
                "检查卡片的 `type:`；`dlquiz deck check FILE` 会列出卡组的所有问题。",
            ),
        )
        self.name = name


def register(card_type: CardType) -> CardType:
    """Make ``card_type`` known under its name; a name is registered once."""
    name = getattr(card_type, "name", None)
    if not isinstance(name, str) or not name:
        raise ValueError(f"{type(card_type).__name__} has no name to register under")
    if name in _REGISTRY:
        raise ValueError(f"card type {name!r} is already registered ({type(_REGISTRY[name]).__name__})")
    _REGISTRY[name] = card_type
    return card_type


def unregister(name: str) -> None:
    """Forget a card type (for tests that register one of their own)."""
    if _REGISTRY.pop(name, None) is None:
        raise UnknownCardType(name)


def is_registered(name: object) -> bool:
    """Whether ``name`` (any value a YAML `type:` may hold) names a registered card type."""
    return isinstance(name, str) and name in _REGISTRY


def card_type(name: object) -> CardType:
    """The card type called ``name``; UnknownCardType if none is registered under it."""
    if not is_registered(name):
        raise UnknownCardType(name)
    return _REGISTRY[str(name)]


def names() -> tuple[str, ...]:
    """The registered names, in registration order."""
    return tuple(_REGISTRY)


def registered() -> tuple[CardType, ...]:
    return tuple(_REGISTRY.values())


def review_items(card: Card) -> list[ReviewItem]:
    return card_type(card.type).items(card)


def make_challenge(item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
    return card_type(item.card.type).challenge(item, lang, rng)


def anki_note(card: Card, lang: str) -> AnkiNote:
    return card_type(card.type).anki_note(card, lang)


register(Basic())
register(Cloze())
register(Choice())
register(Typed())
register(Numeric())
register(Code())
