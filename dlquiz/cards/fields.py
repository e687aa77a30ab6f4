"""The kinds of field decks share — text, yes/no flags, numbers — with their checks and their JSON Schema.

Checks never raise: they ``report(line, english, chinese)`` every problem, so `dlquiz deck check` can list them all
in the reader's language. A message about a field starts with what it is about (``card 'x': front``), given as a
``Text`` so both languages name it; ``phrase`` joins it to what is wrong.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from dlquiz.text import LANGUAGES, Text

MAX_TEXT_CHARS = 100_000  # one text field (a front, an option, one language of a question); a long note is ~5,000
MAX_NUMBER_DIGITS = 30  # a number written as text (`answer: 0`); Python cannot even print an int of 4,300 digits

Report = Callable[[int, str, str], None]  # report(line, english, chinese); line 0 when the place is unknown

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


def _is_wide(char: str) -> bool:
    """A Chinese character or full-width punctuation (CJK symbols, ideographs, full-width forms)."""
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


def _is_wide_punctuation(char: str) -> bool:
    return "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"


def spaced(left: str, right: str) -> str:
    """Two pieces of a Chinese sentence, with a space between them only where a Latin word or number meets a Chinese
    character (`front 为空`, `第 2 个选项为空`, `卡片 'x'：front`), as the project's Chinese messages write it."""
    if not left or not right:
        return left + right
    before, after = left[-1], right[0]
    if (_is_wide(before) and _is_wide(after)) or _is_wide_punctuation(before) or _is_wide_punctuation(after):
        return left + right  # full-width punctuation carries its own room
    return f"{left} {right}"


def phrase(subject: Text, predicate: Text) -> Text:
    """``subject`` followed by ``predicate`` in each language: `card 'x': front` + `is empty`."""
    return Text(zh=spaced(subject.zh, predicate.zh), en=f"{subject.en} {predicate.en}")


def field_of(label: Text, name: str) -> Text:
    """A field of the card ``label`` names, as messages start: `card 'x': front` / `卡片 'x'：front`."""
    return Text(zh=f"{label.zh}：{name}", en=f"{label.en}: {name}")


def part(whole: Text, key: str) -> Text:
    """One language (or key) of a text field: `front.zh`; in Chinese `第 2 个选项的 zh` after Chinese words."""
    zh = f"{whole.zh}.{key}" if whole.zh and not _is_wide(whole.zh[-1]) else f"{whole.zh}的 {key}"
    return Text(zh=zh, en=f"{whole.en}.{key}")


def text_problem(value: Any) -> Text | None:
    """What is wrong with one piece of text (a string or a bare number), or None; said after the field's name."""
    if isinstance(value, str):
        if not value.strip():
            return Text(zh="为空", en="is empty")
        if len(value) > MAX_TEXT_CHARS:
            return Text(
                zh=f"有 {len(value):,} 个字符；一段文字最多 {MAX_TEXT_CHARS:,} 个字符（上限）",
                en=f"is {len(value):,} characters long; a text may have at most {MAX_TEXT_CHARS:,} (the limit)",
            )
        return None
    if is_number(value):  # a bare number such as `answer: 0` is fine text
        if not is_finite_number(value) or len(str(value)) > MAX_NUMBER_DIGITS:
            return Text(
                zh=f"必须是不超过 {MAX_NUMBER_DIGITS} 位的数字，或加了引号的文字",
                en=f"must be a number of at most {MAX_NUMBER_DIGITS} digits, or text in quotes",
            )
        return None
    return MUST_BE_TEXT


MUST_BE_TEXT = Text(zh="必须是文字", en="must be text")


def check_text(value: Any, line: int, what: Text, report: Report) -> None:
    """A text field is a non-empty string or a mapping of languages (zh, en) to non-empty strings."""
    if isinstance(value, str) or is_number(value):
        problem = text_problem(value)
        if problem:
            said = phrase(what, problem)
            report(line, said.en, said.zh)
        return
    if isinstance(value, dict):
        unknown = [key for key in value if key not in LANGUAGES]
        if unknown:
            use = " / ".join(LANGUAGES)
            report(
                line,
                f"{what.en}: unknown language {unknown[0]!r} (use {use})",
                f"{what.zh}：未知的语言 {unknown[0]!r}（请用 {use}）",
            )
        if not value:
            said = phrase(what, Text(zh="没有内容", en="has no text"))
            report(line, said.en, said.zh)
        for key, text in value.items():
            problem = text_problem(text)
            if problem:
                said = phrase(part(what, key), problem)
                report(line_of(value, key), said.en, said.zh)
        return
    said = phrase(
        what,
        Text(
            zh="必须是文字，或 {zh: ..., en: ...} 这样的映射",
            en="must be text or a mapping such as {zh: ..., en: ...}",
        ),
    )
    report(line, said.en, said.zh)


def check_flag(raw: Any, key: str, label: Text, report: Report) -> None:
    """An optional yes/no field."""
    if key in raw and not isinstance(raw[key], bool):
        report(line_of(raw, key), f"{label.en}: {key} must be true or false", f"{label.zh}：{key} 必须是 true 或 false")
