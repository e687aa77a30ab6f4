"""Typed cards: the learner types the answer; it is compared after folding case, spaces and full-width characters."""

from __future__ import annotations

import random
from typing import Any

from dlquiz.cards.anki_note import EXTRA_TEMPLATE, AnkiNote, CardTemplate, NoteType, escape, html_field, plain_field
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import INPUT, Challenge
from dlquiz.cards.fields import TEXT_SCHEMA, Report, item_line, line_of, text_problem
from dlquiz.cards.types.base import CardType
from dlquiz.text import normalize_answer

# Anki asks for the answer with {{type:Back}} and compares it with Back, so Back holds the plain answer and the other
# accepted answers have their own field.
TYPED = "dlquiz Typed (type in the answer)"
TYPED_NOTE = NoteType(
    TYPED,
    ("Front", "Back", "Also accepted", "Extra"),
    (
        CardTemplate(
            "Card 1",
            "{{Front}}\n\n{{type:Back}}",
            "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}"
            "{{#Also accepted}}<div class=accepted>{{Also accepted}}</div>{{/Also accepted}}" + EXTRA_TEMPLATE,
        ),
    ),
)


class Typed(CardType):
    name = "typed"
    required = ("question", "answer")
    optional = ("accept",)
    text_fields = ("question", "answer")

    def check_fields(self, raw: Any, label: str, report: Report) -> None:
        accept = raw.get("accept", [])
        if not isinstance(accept, list):
            report(line_of(raw, "accept"), f"{label}: accept must be a list of accepted answers")
            return
        for index, answer in enumerate(accept):
            problem = text_problem(answer)
            if problem:
                report(item_line(accept, index), f"{label}: accepted answer {index + 1} {problem}")

    def challenge(self, item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
        answer = item.card.text("answer")
        # The answer in either language is right, whichever language the card is shown in.
        accepted = {normalize_answer(a) for a in [*answer.versions(), *map(str, item.card.fields.get("accept", []))]}

        def check(response: str) -> bool:
            return normalize_answer(response) in accepted

        question = item.card.text("question").pick(lang)
        shown = answer.pick(lang, separator=" / ")
        return Challenge(item, INPUT, question, shown, self.extra(item.card, lang), check=check)

    def schema_fields(self) -> dict[str, Any]:
        accept = {"type": "array", "items": {"type": ["string", "number"]}}
        return {"question": TEXT_SCHEMA, "answer": TEXT_SCHEMA, "accept": accept}

    def anki_note(self, card: Card, lang: str) -> AnkiNote:
        accepted = ", ".join(escape(str(answer)) for answer in card.fields.get("accept", []))
        # type:Back compares with the field's text, so it stays one plain line ("0", not "<b>0</b>").
        answer = plain_field(card.text("answer"), lang)
        question, extra = html_field(card.text("question"), lang), html_field(card.text("extra"), lang)
        return AnkiNote(TYPED_NOTE, (question, answer, accepted, extra))
