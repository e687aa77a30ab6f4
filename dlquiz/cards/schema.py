"""The deck format as a JSON Schema (draft 2020-12), published with `dlquiz deck schema`.

The loader in deck.py/cardtypes.py is what dlquiz enforces (with file:line messages);
tests keep this schema and the loader in agreement on the built-in deck and the README examples.
"""

from __future__ import annotations

from typing import Any

_TEXT: dict[str, Any] = {
    "description": "Plain text (Markdown), or the same text per language.",
    "oneOf": [
        {"type": "string", "minLength": 1},
        {"type": "number"},
        {
            "type": "object",
            "properties": {"zh": {"type": ["string", "number"]}, "en": {"type": ["string", "number"]}},
            "additionalProperties": False,
            "minProperties": 1,
        },
    ],
}
_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}
_COMMON = {
    "id": {**_ID, "description": "Stable id, unique in the deck; progress is keyed on it."},
    "tags": {"type": "array", "items": {"type": "string", "minLength": 1}},
    "exercise": {**_ID, "description": "The coding exercise this card belongs to."},
    "extra": {**_TEXT, "description": "Shown after the answer."},
    "source": {"type": "string", "description": "The note this card encodes."},
}
_PARAM = {
    "oneOf": [
        {
            "type": "object",
            "properties": {"min": {"type": "number"}, "max": {"type": "number"}, "step": {"type": "number", "exclusiveMinimum": 0}},
            "required": ["min", "max"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"choices": {"type": "array", "items": {"type": "number"}, "minItems": 1}},
            "required": ["choices"],
            "additionalProperties": False,
        },
    ]
}

_MATCH = {
    "enum": ["text", "number", "shape"],
    "default": "text",
    "description": (
        "How a typed answer is compared. text: case, spaces and full-width characters folded. "
        "number: .5, 5., 1/4, 1e-3 are numbers, compared within tolerance. "
        "shape: (2, 3), 2,3, 2×3, 2x3, [2, 3] and torch.Size([2, 3]) are the same shape; (4,) is not (1, 4) "
        "unless the card lists both."
    ),
}


def _card(kind: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"type": {"const": kind}, **_COMMON, **properties},
        "required": ["id", "type", *required],
        "additionalProperties": False,
    }


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://dlquiz.invalid/deck-format-1.json",
    "title": "dlquiz deck (format 1)",
    "type": "object",
    "properties": {
        "format": {"const": 1},
        "id": _ID,
        "title": _TEXT,
        "description": _TEXT,
        "cards": {
            "type": "array",
            "minItems": 1,
            "items": {
                "oneOf": [
                    _card("basic", {"front": _TEXT, "back": _TEXT, "reverse": {"type": "boolean"}}, ["front", "back"]),
                    _card(
                        "cloze",
                        {"text": {**_TEXT, "description": "Anki cloze syntax: {{c1::answer}} or {{c1::answer::hint}}."}},
                        ["text"],
                    ),
                    _card(
                        "choice",
                        {
                            "question": _TEXT,
                            "shuffle": {"type": "boolean"},
                            "options": {
                                "type": "array",
                                "minItems": 2,
                                "maxItems": 9,
                                "items": {
                                    "type": "object",
                                    "properties": {"text": _TEXT, "correct": {"type": "boolean"}},
                                    "required": ["text"],
                                    "additionalProperties": False,
                                },
                            },
                        },
                        ["question", "options"],
                    ),
                    {
                        **_card(
                            "typed",
                            {
                                "question": _TEXT,
                                "answer": _TEXT,
                                "accept": {"type": "array", "items": {"type": ["string", "number"]}},
                                "match": _MATCH,
                                "tolerance": {"type": "number", "minimum": 0, "description": "With match: number."},
                            },
                            ["question", "answer"],
                        ),
                        "dependentRequired": {"tolerance": ["match"]},
                        "dependentSchemas": {"tolerance": {"properties": {"match": {"const": "number"}}}},
                    },
                    _card(
                        "numeric",
                        {
                            "question": {**_TEXT, "description": "Shows parameters as {name}."},
                            "params": {"type": "object", "additionalProperties": _PARAM, "minProperties": 1},
                            "where": {"type": "array", "items": {"type": "string"}},
                            "answer": {
                                "type": ["string", "number"],
                                "description": "Arithmetic of the params: + - * / // % **, parentheses, min max floor ceil sqrt abs.",
                            },
                            "tolerance": {"type": "number", "minimum": 0},
                        },
                        ["question", "params", "answer"],
                    ),
                ]
            },
        },
    },
    "required": ["id", "title", "cards"],
    "additionalProperties": False,
}
