"""Cloze cards in Anki's syntax: each ``{{cN::answer}}`` or ``{{cN::answer::hint}}`` is its own review item."""

from __future__ import annotations

import random
import re
from typing import Any

from dlquiz.cards.anki_note import EXTRA_TEMPLATE, AnkiNote, CardTemplate, NoteType, html_field
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import REVEAL, Challenge
from dlquiz.cards.fields import TEXT_SCHEMA, Report, is_number, line_of
from dlquiz.cards.types.base import CardType
from dlquiz.text import Text

DELETION = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.DOTALL)

# Anki's own cloze syntax is kept as it is in Text; with --lang both each language version is in Text, so card cN
# hides deletion N in both.
CLOZE = "dlquiz Cloze"
CLOZE_NOTE = NoteType(
    CLOZE,
    ("Text", "Extra"),
    (CardTemplate("Cloze", "{{cloze:Text}}", "{{cloze:Text}}" + EXTRA_TEMPLATE),),
    cloze=True,
)


def cloze_numbers(text: str) -> list[str]:
    """The deletions of a text, in number order: ['c1', 'c2', …]."""
    return sorted({f"c{match.group(1)}" for match in DELETION.finditer(text)}, key=lambda c: int(c[1:]))


class Cloze(CardType):
    name = "cloze"
    required = ("text",)
    text_fields = ("text",)

    def check_fields(self, raw: Any, label: Text, report: Report) -> None:
        text = raw.get("text")
        if isinstance(text, str) or is_number(text):
            versions = {"": str(text)}
        elif isinstance(text, dict):
            versions = {language: str(version) for language, version in text.items()}
        else:
            return  # missing, or not text at all: reported already
        numbers = {language: cloze_numbers(version) for language, version in versions.items()}
        line = line_of(raw, "text")
        for language, found in numbers.items():
            where = f"text.{language}" if language else "text"
            if not found:
                report(
                    line,
                    f"{label.en}: {where} has no cloze deletion; write e.g. {{{{c1::answer}}}}",
                    f"{label.zh}：{where} 中没有填空；写法如 {{{{c1::answer}}}}",
                )
            if "{{c" in DELETION.sub("", versions[language]):
                form = "{{c1::answer}}", "{{c1::answer::hint}}"
                report(
                    line,
                    f"{label.en}: {where} has a malformed cloze; the form is {form[0]} or {form[1]}",
                    f"{label.zh}：{where} 中的填空格式不对；应写成 {form[0]} 或 {form[1]}",
                )
        if len({tuple(found) for found in numbers.values() if found}) > 1:
            shown = "; ".join(f"{language}: {', '.join(found)}" for language, found in numbers.items())
            report(
                line,
                f"{label.en}: every language must use the same cloze numbers ({shown})",
                f"{label.zh}：每种语言必须使用相同的填空编号（{shown}）",
            )

    def items(self, card: Card) -> list[ReviewItem]:
        # Validation made every language use the same numbers, so any version gives them.
        first = card.text("text").versions()[0]
        return [ReviewItem(card, number) for number in cloze_numbers(first)]

    def challenge(self, item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
        text = item.card.text("text")
        shown = text.map(lambda version: _fill(version, item.variant, hide=True))
        revealed = text.map(lambda version: _fill(version, item.variant, hide=False))
        return Challenge(item, REVEAL, shown.pick(lang), revealed.pick(lang), self.extra(item.card, lang))

    def schema_fields(self) -> dict[str, Any]:
        return {"text": {**TEXT_SCHEMA, "description": "Anki cloze syntax: {{c1::answer}} or {{c1::answer::hint}}."}}

    def anki_note(self, card: Card, lang: str) -> AnkiNote:
        return AnkiNote(CLOZE_NOTE, (html_field(card.text("text"), lang), html_field(card.text("extra"), lang)))


# Bold in Markdown needs its ** to "flank" the text: CommonMark refuses `在**[…]**时` (punctuation inside, a CJK letter
# outside), and the reader saw the stars. A zero-width space inside each ** is neither space nor punctuation, so the
# bold opens and closes next to any character in any language, and it takes no room on screen.
_ZWSP = "\u200b"


def emphasis(text: str) -> str:
    """``text`` in Markdown bold that renders whatever surrounds it (Chinese, punctuation, brackets)."""
    return f"**{_ZWSP}{text}{_ZWSP}**"


def _fill(text: str, active: str | None, hide: bool) -> str:
    """The text with deletion ``active`` hidden (its hint or …) or shown in bold, and every other one shown plainly."""

    def replace(match: re.Match[str]) -> str:
        number, body = f"c{match.group(1)}", match.group(2)
        answer, _, hint = body.partition("::")
        if number != active:
            return answer
        if hide:
            return emphasis(f"[{hint or '…'}]")
        return emphasis(answer)

    return DELETION.sub(replace, text)
