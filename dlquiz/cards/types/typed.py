"""Typed cards: the learner types the answer; it is compared as text (case, spaces and full-width characters
folded), as a number or as a tensor shape, as the card's ``match`` says (``answer_forms``)."""

from __future__ import annotations

import random
from typing import Any

from dlquiz.cards import answer_forms
from dlquiz.cards.anki_note import EXTRA_TEMPLATE, AnkiNote, CardTemplate, NoteType, escape, html_field, plain_field
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import INPUT, Challenge
from dlquiz.cards.fields import TEXT_SCHEMA, Report, item_line, line_of, phrase, text_problem
from dlquiz.cards.types.base import CardType
from dlquiz.text import Text

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


MATCH_SCHEMA = {
    "enum": list(answer_forms.FORMS),
    "default": answer_forms.DEFAULT_FORM,
    "description": (
        "How a typed answer is compared. text: case, spaces and full-width characters folded. "
        "number: .5, 5., 1/4, 1e-3 are numbers, compared within tolerance. "
        "shape: (2, 3), 2,3, 2×3, 2x3, [2, 3] and torch.Size([2, 3]) are the same shape; (4,) is not (1, 4) "
        "unless the card lists both."
    ),
}


class Typed(CardType):
    name = "typed"
    required = ("question", "answer")
    optional = ("accept", "match", "tolerance")
    text_fields = ("question", "answer")

    def check_fields(self, raw: Any, label: Text, report: Report) -> None:
        accept = raw.get("accept", [])
        if not isinstance(accept, list):
            report(
                line_of(raw, "accept"),
                f"{label.en}: accept must be a list of accepted answers",
                f"{label.zh}：accept 必须是可接受答案的列表",
            )
            return
        for index, answer in enumerate(accept):
            problem = text_problem(answer)
            if problem:
                what = Text(
                    zh=f"{label.zh}：第 {index + 1} 个可接受的答案", en=f"{label.en}: accepted answer {index + 1}"
                )
                said = phrase(what, problem)
                report(item_line(accept, index), said.en, said.zh)
        answer_forms.check_typed_fields(raw, label, report)  # `match: number|shape`: answers must be of that form

    def challenge(self, item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
        answer = item.card.text("answer")
        # The answer in either language is right, whichever language the card is shown in.
        accepted = tuple(dict.fromkeys([*answer.versions(), *map(str, item.card.fields.get("accept", []))]))
        form = str(item.card.fields.get("match", answer_forms.DEFAULT_FORM))
        tolerance = float(item.card.fields.get("tolerance", 0))

        def check(response: str) -> bool:
            return answer_forms.accepts(response, accepted, form, tolerance)

        question = item.card.text("question").pick(lang)
        shown = answer.pick(lang, separator=" / ")
        return Challenge(item, INPUT, question, shown, self.extra(item.card, lang), check=check)

    def schema_fields(self) -> dict[str, Any]:
        accept = {"type": "array", "items": {"type": ["string", "number"]}}
        return {
            "question": TEXT_SCHEMA,
            "answer": TEXT_SCHEMA,
            "accept": accept,
            "match": MATCH_SCHEMA,
            "tolerance": {"type": "number", "minimum": 0, "description": "Absolute tolerance, with `match: number`."},
        }

    def schema_rules(self) -> dict[str, Any]:
        # A tolerance only makes sense for numbers.
        return {
            "dependentRequired": {"tolerance": ["match"]},
            "dependentSchemas": {"tolerance": {"properties": {"match": {"const": "number"}}}},
        }

    def anki_note(self, card: Card, lang: str) -> AnkiNote:
        accepted = ", ".join(escape(str(answer)) for answer in card.fields.get("accept", []))
        # type:Back compares with the field's text, so it stays one plain line ("0", not "<b>0</b>").
        answer = plain_field(card.text("answer"), lang)
        question, extra = html_field(card.text("question"), lang), html_field(card.text("extra"), lang)
        return AnkiNote(TYPED_NOTE, (question, answer, accepted, extra))
