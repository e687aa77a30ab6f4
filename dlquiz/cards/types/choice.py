"""Choice cards: one or more correct options, shuffled at each review (unless ``shuffle: false``), chosen by number."""

from __future__ import annotations

import random
import string
from typing import Any

from dlquiz.cards.anki_note import BASIC_NOTE, AnkiNote, html_field
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import CHOICE, Challenge, parse_choice
from dlquiz.cards.fields import TEXT_SCHEMA, Report, check_flag, check_text, item_line, line_of
from dlquiz.cards.types.base import CardType
from dlquiz.text import Text

MAX_OPTIONS = 9  # chosen with the keys 1-9


def option_label(index: int) -> str:
    return string.digits[index + 1]


class Choice(CardType):
    name = "choice"
    required = ("question", "options")
    optional = ("shuffle",)
    text_fields = ("question",)

    def check_fields(self, raw: Any, label: Text, report: Report) -> None:
        options = raw.get("options")
        check_flag(raw, "shuffle", label, report)
        if "options" not in raw:
            return  # reported as a missing field already
        if not isinstance(options, list) or len(options) < 2:
            report(
                line_of(raw, "options"),
                f"{label.en}: options must be a list of at least two choices",
                f"{label.zh}：options 必须是至少有两个选项的列表",
            )
            return
        if len(options) > MAX_OPTIONS:
            report(
                line_of(raw, "options"),
                f"{label.en}: at most 9 options (they are chosen with the keys 1-9)",
                f"{label.zh}：最多 9 个选项（用数字键 1-9 选择）",
            )
        correct = 0
        for index, option in enumerate(options):
            line = item_line(options, index)
            what = Text(zh=f"{label.zh}：第 {index + 1} 个选项", en=f"{label.en}: option {index + 1}")
            if not isinstance(option, dict) or "text" not in option:
                report(
                    line,
                    f"{what.en} must be a mapping with 'text' (and 'correct: true' if right)",
                    f"{what.zh}必须是包含 'text' 的映射（正确的选项再加上 'correct: true'）",
                )
                continue
            extra = set(option) - {"text", "correct"}
            if extra:
                unknown = sorted(extra)[0]
                report(
                    line,
                    f"{what.en} has unknown field {unknown!r} (allowed: text, correct)",
                    f"{what.zh}有未知字段 {unknown!r}（可用的字段：text, correct）",
                )
            check_text(option["text"], line, what, report)
            flag = option.get("correct", False)
            if not isinstance(flag, bool):
                report(line, f"{what.en}: correct must be true or false", f"{what.zh}：correct 必须是 true 或 false")
            correct += flag is True
        if correct == 0:
            report(
                line_of(raw, "options"),
                f"{label.en}: no option is marked 'correct: true'",
                f"{label.zh}：没有一个选项标了 'correct: true'",
            )

    def challenge(self, item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
        fields = item.card.fields
        options = list(fields["options"])
        if fields.get("shuffle", True):
            rng.shuffle(options)
        texts = [Text.of(option["text"]).pick(lang, separator=" / ") for option in options]
        correct = frozenset(i for i, option in enumerate(options) if option.get("correct") is True)
        answer = "\n".join(f"- {option_label(i)}. {texts[i]}" for i in sorted(correct))

        def check(response: str) -> bool:  # exactly the correct options: choosing an extra one is wrong
            return (parse_choice(response, len(texts)) or frozenset()) == correct

        question = item.card.text("question").pick(lang)
        return Challenge(item, CHOICE, question, answer, self.extra(item.card, lang), texts, correct, check)

    def schema_fields(self) -> dict[str, Any]:
        option = {
            "type": "object",
            "properties": {"text": TEXT_SCHEMA, "correct": {"type": "boolean"}},
            "required": ["text"],
            "additionalProperties": False,
        }
        return {
            "question": TEXT_SCHEMA,
            "shuffle": {"type": "boolean"},
            "options": {"type": "array", "minItems": 2, "maxItems": MAX_OPTIONS, "items": option},
        }

    def anki_note(self, card: Card, lang: str) -> AnkiNote:
        """The basic note (Anki has no multiple choice): question and options in deck order, the correct ones back."""
        options = card.fields["options"]
        numbered = [
            f"{option_label(index)}. {html_field(Text.of(option['text']), lang, separator=' / ')}"
            for index, option in enumerate(options)
        ]
        correct = [numbered[i] for i, option in enumerate(options) if option.get("correct") is True]
        front = html_field(card.text("question"), lang) + "<br><br>" + "<br>".join(numbered)
        return AnkiNote(BASIC_NOTE, (front, "<br>".join(correct), html_field(card.text("extra"), lang), ""))
