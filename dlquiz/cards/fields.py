"""The kinds of field decks share — text, yes/no flags, numbers — with their checks and their JSON Schema.

Checks never raise: they ``report(line, message)`` every problem, so `dlquiz deck check` can list them all.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from dlquiz.text import LANGUAGES

MAX_TEXT_CHARS = 100_000  # one text field (a front, an option, one language of a question); a long note is ~5,000
MAX_NUMBER_DIGITS = 30  # a number written as text (`answer: 0`); Python cannot even print an int of 4,300 digits

Report = Callable[[int, str], None]  # report(line, message); line 0 when the place is unknown

TEXT_SCHEMA: dict[str, Any] = {
    "description": "Plain text (Markdown), or the same text per language.",
    "oneOf": [
        {"type": "string", "minLength": 1},
        {"type": "number"},
        {
            "type": "object",
            "properties": {code: {"type": ["string", "number"]} for code in LANGUAGES},
            "additionalProperties": False,
            "minProperties": 1,
        },
    ],
}


def line_of(raw: Any, key: str) -> int:
    """The line of ``key`` in a mapping loaded by yamlload (0 for other mappings)."""
    return raw.line_of(key) if hasattr(raw, "line_of") else 0


def item_line(sequence: Any, index: int) -> int:
    """The line of item ``index`` of a list loaded by yamlload (0 for other lists)."""
    return sequence.item_lines[index] if hasattr(sequence, "item_lines") else 0


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite_number(value: Any) -> bool:
    """A number that is not NaN or ±infinity, and an int small enough to print and to convert to a float."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value.bit_length() <= 1000
    return isinstance(value, float) and math.isfinite(value)


def text_problem(value: Any) -> str | None:
    """What is wrong with one piece of text (a string or a bare number), or None."""
    if isinstance(value, str):
        if not value.strip():
            return "is empty"
        if len(value) > MAX_TEXT_CHARS:
            return f"is {len(value):,} characters long; a text may have at most {MAX_TEXT_CHARS:,} (the limit)"
        return None
    if is_number(value):  # a bare number such as `answer: 0` is fine text
        if not is_finite_number(value) or len(str(value)) > MAX_NUMBER_DIGITS:
            return f"must be a number of at most {MAX_NUMBER_DIGITS} digits, or text in quotes"
        return None
    return "must be text"


def check_text(value: Any, line: int, what: str, report: Report) -> None:
    """A text field is a non-empty string or a mapping of languages (zh, en) to non-empty strings."""
    if isinstance(value, str) or is_number(value):
        problem = text_problem(value)
        if problem:
            report(line, f"{what} {problem}")
        return
    if isinstance(value, dict):
        unknown = [key for key in value if key not in LANGUAGES]
        if unknown:
            report(line, f"{what}: unknown language {unknown[0]!r} (use {' / '.join(LANGUAGES)})")
        if not value:
            report(line, f"{what} has no text")
        for key, text in value.items():
            problem = text_problem(text)
            if problem:
                report(line_of(value, key), f"{what}.{key} {problem}")
        return
    report(line, f"{what} must be text or a mapping such as {{zh: ..., en: ...}}")


def check_flag(raw: Any, key: str, label: str, report: Report) -> None:
    """An optional yes/no field."""
    if key in raw and not isinstance(raw[key], bool):
        report(line_of(raw, key), f"{label}: {key} must be true or false")
