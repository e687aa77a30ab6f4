"""Turning a review item into what the learner sees, and judging what the learner answers.

Nothing here touches the terminal: the study screen renders ``Challenge.question``/``answer``
(Markdown) and feeds the learner's keys or typed text back to ``Challenge.judge``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from dlquiz.cards import answer_forms, cardtypes
from dlquiz.cards import expr
from dlquiz.cards.deck import ReviewItem
from dlquiz.text import map_text, normalize_answer, pick, variants

REVEAL, CHOICE, INPUT = "reveal", "choice", "input"


@dataclass(frozen=True)
class Verdict:
    correct: bool
    expected: str  # what the right answer is, as Markdown


@dataclass
class Challenge:
    item: ReviewItem
    mode: str  # REVEAL: think, then reveal; CHOICE: pick options; INPUT: type an answer
    question: str
    answer: str
    extra: str = ""
    options: list[str] = field(default_factory=list)
    correct_options: frozenset[int] = frozenset()
    accepted: tuple[str, ...] = ()  # accepted answers as written (typed cards); compared as `match` says
    match: str = answer_forms.DEFAULT_FORM  # typed cards: "text", "number" or "shape" (see answer_forms)
    number: float | None = None  # the expected value (numeric cards)
    tolerance: float = 0.0

    @property
    def multiple(self) -> bool:
        return len(self.correct_options) > 1

    def parse_choice(self, response: str) -> frozenset[int] | None:
        """'2', '1 3', '1,3' or '13' → option indices; None when it names no valid option."""
        digits = re.sub(r"[\s,，、;]+", "", normalize_answer(response))
        if not digits or not digits.isdigit():
            return None
        chosen = frozenset(int(d) - 1 for d in digits)
        if any(not 0 <= index < len(self.options) for index in chosen):
            return None
        return chosen

    def judge(self, response: str) -> Verdict:
        if self.mode == CHOICE:
            chosen = self.parse_choice(response) or frozenset()
            return Verdict(chosen == self.correct_options, self.answer)
        if self.number is not None:  # numeric cards: `.5`, `5.`, `1/4`, `1e-3` are numbers (answer_forms)
            return Verdict(answer_forms.numbers_match(response, self.number, self.tolerance), self.answer)
        return Verdict(answer_forms.accepts(response, self.accepted, self.match, self.tolerance), self.answer)


def format_number(value: float) -> str:
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    return f"{value:.6g}"


def make_challenge(item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
    card = item.card
    fields = card.fields
    extra = pick(_text(fields.get("extra")), lang)
    if card.type == "basic":
        front, back = pick(_text(fields["front"]), lang), pick(_text(fields["back"]), lang)
        if item.variant == "reverse":
            front, back = back, front
        return Challenge(item, REVEAL, front, back, extra)
    if card.type == "cloze":
        text = _text(fields["text"])
        shown = map_text(text, lambda version: _cloze(version, item.variant, hide=True))
        revealed = map_text(text, lambda version: _cloze(version, item.variant, hide=False))
        return Challenge(item, REVEAL, pick(shown, lang), pick(revealed, lang), extra)
    if card.type == "choice":
        return _choice(item, lang, rng, extra)
    if card.type == "typed":
        answer = _text(fields["answer"])
        accepted = [*variants(answer), *(str(a) for a in fields.get("accept", []))]
        return Challenge(
            item,
            INPUT,
            pick(_text(fields["question"]), lang),
            pick(answer, lang, separator=" / "),
            extra,
            accepted=tuple(dict.fromkeys(accepted)),
            match=str(fields.get("match", answer_forms.DEFAULT_FORM)),
            tolerance=float(fields.get("tolerance", 0)),
        )
    return _numeric(item, lang, rng, extra)


def _text(value):
    return cardtypes.as_text(value) if value is not None else None


def _cloze(text: str, active: str | None, hide: bool) -> str:
    def replace(match: re.Match) -> str:
        number, body = f"c{match.group(1)}", match.group(2)
        answer, _, hint = body.partition("::")
        if number != active:
            return answer
        if hide:
            return f"**[{hint or '…'}]**"
        return f"**{answer}**"

    return cardtypes.CLOZE.sub(replace, text)


def _choice(item: ReviewItem, lang: str, rng: random.Random, extra: str) -> Challenge:
    fields = item.card.fields
    options = list(fields["options"])
    if fields.get("shuffle", True):
        rng.shuffle(options)
    texts = [pick(_text(option["text"]), lang, separator=" / ") for option in options]
    correct = frozenset(i for i, option in enumerate(options) if option.get("correct") is True)
    answer = "\n".join(f"- {cardtypes.option_label(i)}. {texts[i]}" for i in sorted(correct))
    return Challenge(item, CHOICE, pick(_text(fields["question"]), lang), answer, extra, texts, correct)


def _numeric(item: ReviewItem, lang: str, rng: random.Random, extra: str) -> Challenge:
    fields = item.card.fields
    values = cardtypes.draw_params(dict(fields["params"]), [str(w) for w in fields.get("where", [])], rng)
    expected = expr.evaluate(str(fields["answer"]), values)
    shown_values = {name: format_number(value) for name, value in values.items()}
    question = map_text(
        _text(fields["question"]),
        lambda version: cardtypes.PLACEHOLDER.sub(lambda m: shown_values.get(m.group(1), m.group(0)), version),
    )
    given = ", ".join(f"{name} = {shown}" for name, shown in shown_values.items())
    worked = f"**{format_number(expected)}**  (`{fields['answer']}` with {given})"
    return Challenge(
        item,
        INPUT,
        pick(question, lang),
        worked,
        extra,
        number=float(expected),
        tolerance=float(fields.get("tolerance", 0)),
    )
