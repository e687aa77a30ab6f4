"""The deck format as a JSON Schema (draft 2020-12), published with `dlquiz deck schema`.

The loader (deck.py and the card types) is what dlquiz enforces, with file:line messages; each card type gives the
schema of its own fields, and tests keep this schema and the loader in agreement on the built-in deck and the README
examples.
"""

from __future__ import annotations

from typing import Any

from dlquiz.cards import types
from dlquiz.cards.fields import TEXT_SCHEMA
from dlquiz.cards.types.base import CardType

_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}
_COMMON = {
    "id": {**_ID, "description": "Stable id, unique in the deck; progress is keyed on it."},
    "tags": {"type": "array", "items": {"type": "string", "minLength": 1}},
    "exercise": {**_ID, "description": "The coding exercise this card belongs to."},
    "extra": {**TEXT_SCHEMA, "description": "Shown after the answer."},
    "source": {"type": "string", "description": "The note this card encodes."},
}


def card_schema(card_type: CardType) -> dict[str, Any]:
    """One card of ``card_type``: the common fields and the type's own."""
    return {
        "type": "object",
        "properties": {"type": {"const": card_type.name}, **_COMMON, **card_type.schema_fields()},
        "required": ["id", "type", *card_type.required],
        "additionalProperties": False,
        **card_type.schema_rules(),
    }


def deck_schema() -> dict[str, Any]:
    """The schema of a deck file, with every registered card type."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://dlquiz.invalid/deck-format-1.json",
        "title": "dlquiz deck (format 1)",
        "type": "object",
        "properties": {
            "format": {"const": 1},
            "id": _ID,
            "title": TEXT_SCHEMA,
            "description": TEXT_SCHEMA,
            "cards": {
                "type": "array",
                "minItems": 1,
                "items": {"oneOf": [card_schema(card_type) for card_type in types.registered()]},
            },
        },
        "required": ["id", "title", "cards"],
        "additionalProperties": False,
    }
