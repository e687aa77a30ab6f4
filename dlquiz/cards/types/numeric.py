"""Numeric cards: parameters drawn afresh at every review; the answer is arithmetic of them (``dlquiz.cards.expr``)."""

from __future__ import annotations

import random
import re
from typing import Any

from dlquiz.cards import answer_forms, expr
from dlquiz.cards.anki_note import BASIC_NOTE, AnkiNote, escape, html_field
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import INPUT, REVEAL, Challenge
from dlquiz.cards.fields import TEXT_SCHEMA, Report, is_finite_number, line_of
from dlquiz.cards.params import MAX_PARAM_MAGNITUDE, domain_problem, draw_params, param_problem, value_at, value_count
from dlquiz.cards.types.base import CardType
from dlquiz.text import Text

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")  # {name} in the question shows a drawn parameter
REVIEW_DRAWS = 20  # at review, a draw whose answer cannot be computed is replaced by another, this many times

_PARAM_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {
            "type": "object",
            "properties": {
                "min": {"type": "number"},
                "max": {"type": "number"},
                "step": {"type": "number", "exclusiveMinimum": 0},
            },
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


class Numeric(CardType):
    name = "numeric"
    required = ("question", "params", "answer")
    optional = ("where", "tolerance")
    text_fields = ("question",)

    def check_fields(self, raw: Any, label: Text, report: Report) -> None:
        found: list[str] = []

        def counted(line: int, message: str, message_zh: str) -> None:
            found.append(message)
            report(line, message, message_zh)

        valid_params = _check_params(raw, label, counted)
        where = raw.get("where", [])
        if not isinstance(where, list) or not all(isinstance(w, str) for w in where):
            counted(
                line_of(raw, "where"),
                f'{label.en}: where must be a list of conditions such as "n + 2*p >= k"',
                f'{label.zh}：where 必须是条件的列表，例如 "n + 2*p >= k"',
            )
            where = []
        tolerance = raw.get("tolerance", 0)
        if not is_finite_number(tolerance) or not 0 <= tolerance <= MAX_PARAM_MAGNITUDE:
            # An infinite tolerance would judge every answer right.
            counted(line_of(raw, "tolerance"), *answer_forms.bad_tolerance(label))
        known = set(raw["params"]) if isinstance(raw.get("params"), dict) else set()
        _check_expressions(raw, label, where, known, counted)
        question = raw.get("question")
        versions = (
            list(question.values()) if isinstance(question, dict) else [question] if isinstance(question, str) else []
        )
        for version in versions:
            for name in PLACEHOLDER.findall(str(version)):
                if name not in known:
                    counted(
                        line_of(raw, "question"),
                        f"{label.en}: the question shows {{{name}}}, which is not in params",
                        f"{label.zh}：question 中的 {{{name}}} 不在 params 里",
                    )
        # The answer must be computable on every draw the card can make (no division by zero, no sqrt(-1), …).
        if not found and valid_params and "answer" in raw:
            problem = domain_problem(valid_params, [str(w) for w in where], str(raw["answer"]))
            if problem:
                counted(line_of(raw, "answer"), f"{label.en}: {problem.en}", f"{label.zh}：{problem.zh}")

    def challenge(self, item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
        fields = item.card.fields
        error = expr.ExpressionError("no draw", "没有抽取")
        # Validation proved every draw works; should one still fail, another draw replaces it, and a card with no
        # working draw is shown as broken, so the session goes on either way.
        for _attempt in range(REVIEW_DRAWS):
            try:
                values = draw_params(dict(fields["params"]), [str(w) for w in fields.get("where", [])], rng)
                expected = expr.evaluate(str(fields["answer"]), values)
            except expr.ExpressionError as failure:
                error = failure
                continue
            return self._drawn(item, lang, values, expected)
        broken = Text(
            zh=f"⚠ 这张卡片抽不出可用的数值（{error.zh}）。请对它的卡组运行 `dlquiz deck check`；先评个分，继续复习。",
            en=f"⚠ This card cannot be drawn ({error}). Run `dlquiz deck check` on its deck; rate it and go on.",
        )
        return Challenge(item, REVEAL, item.card.text("question").pick(lang), broken.pick(lang))

    def _drawn(self, item: ReviewItem, lang: str, values: dict[str, Any], expected: float) -> Challenge:
        fields = item.card.fields
        number, tolerance = float(expected), float(fields.get("tolerance", 0))
        shown_values = {name: format_number(value) for name, value in values.items()}
        question = item.card.text("question").map(
            lambda version: PLACEHOLDER.sub(lambda m: shown_values.get(m.group(1), m.group(0)), version)
        )
        given = ", ".join(f"{name} = {shown}" for name, shown in shown_values.items())
        where = "其中" if lang == "zh" else "with"  # the worked formula reads in the card's language
        worked = f"**{format_number(expected)}**  (`{fields['answer']}` {where} {given})"

        def check(response: str) -> bool:
            return numeric_match(response, number, tolerance)

        return Challenge(item, INPUT, question.pick(lang), worked, self.extra(item.card, lang), check=check)

    def schema_fields(self) -> dict[str, Any]:
        return {
            "question": {**TEXT_SCHEMA, "description": "Shows parameters as {name}."},
            "params": {"type": "object", "additionalProperties": _PARAM_SCHEMA, "minProperties": 1},
            "where": {"type": "array", "items": {"type": "string"}},
            "answer": {
                "type": ["string", "number"],
                "description": "Arithmetic of the params: + - * / // % **, parentheses, min max floor ceil sqrt abs.",
            },
            "tolerance": {"type": "number", "minimum": 0},
        }

    def anki_note(self, card: Card, lang: str) -> AnkiNote:
        """The basic note (Anki cannot draw new numbers at each review): on the front the question with its
        {placeholders}, every parameter's range and the `where` conditions; on the back the formula and one worked
        example."""
        fields = card.fields
        params, where = dict(fields["params"]), [str(condition) for condition in fields.get("where", [])]
        ranges = escape("; ".join(f"{name} ∈ {_value_set(spec)}" for name, spec in params.items()))
        conditions = "<br>" + escape(", ".join(where)) if where else ""
        front = html_field(card.text("question"), lang) + f"<div class=params>{ranges}{conditions}</div>"
        tolerance = fields.get("tolerance", 0)
        within = f" (± {format_number(tolerance)})" if tolerance else ""
        back = f"<code>{escape(str(fields['answer']))}</code>{within}" + _worked_example(card, params, where)
        return AnkiNote(BASIC_NOTE, (front, back, html_field(card.text("extra"), lang), ""))


def _check_params(raw: Any, label: Text, report: Report) -> dict[str, Any]:
    """Report bad parameters; return the valid ones."""
    params = raw.get("params")
    valid: dict[str, Any] = {}
    if "params" not in raw:
        return valid  # reported as a missing field already
    if not isinstance(params, dict) or not params:
        report(
            line_of(raw, "params"),
            f"{label.en}: params must map names to ranges, e.g. n: {{min: 1, max: 9}}",
            f"{label.zh}：params 必须把名字对应到取值范围，例如 n: {{min: 1, max: 9}}",
        )
    else:
        for name, spec in params.items():
            problem = param_problem(name, spec)
            if problem:
                report(
                    line_of(params, name),
                    f"{label.en}: parameter {name!r}: {problem.en}",
                    f"{label.zh}：参数 {name!r}：{problem.zh}",
                )
            else:
                valid[name] = spec
    return valid


def _check_expressions(raw: Any, label: Text, where: list[str], known: set[str], report: Report) -> None:
    """The answer and the `where` conditions must parse and use only the params."""
    expressions = [("answer", raw["answer"], False)] if "answer" in raw else []
    expressions += [("where", condition, True) for condition in where]
    for field_name, expression, comparison in expressions:
        line = line_of(raw, field_name)
        if not isinstance(expression, str) and not is_finite_number(expression):
            report(
                line,
                f"{label.en}: {field_name} must be an arithmetic expression",
                f"{label.zh}：{field_name} 必须是算术表达式",
            )
            continue
        try:
            unknown = expr.names(str(expression), allow_comparison=comparison) - known
        except expr.ExpressionError as error:
            shown = repr(str(expression))
            report(line, f"{label.en}: {field_name} {shown}: {error}", f"{label.zh}：{field_name} {shown}：{error.zh}")
            continue
        if unknown:
            listed = ", ".join(sorted(unknown))
            report(
                line,
                f"{label.en}: {field_name} uses {listed}, which is not in params",
                f"{label.zh}：{field_name} 用到了 {listed}，但 params 中没有",
            )


def numeric_match(response: str, expected: float, tolerance: float) -> bool:
    """`.5`, `5.`, `3/4`, `1e-3`, `2^-2` … are numbers (``answer_forms.parse_number``)."""
    return answer_forms.numbers_match(response, expected, tolerance)


def format_number(value: float) -> str:
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    return f"{value:.6g}"


def _worked_example(card: Card, params: dict[str, Any], where: list[str]) -> str:
    """One worked example for Anki, drawn from the card's id so every export shows the same one.

    Seed 0 is the draw deck validation already made work, for the rare formula that fails on some values.
    """
    for seed in (f"{card.deck_id}::{card.id}", 0):
        try:
            values = draw_params(params, where, random.Random(seed))
            result = format_number(expr.evaluate(str(card.fields["answer"]), values))
        except expr.ExpressionError:
            continue
        given = ", ".join(f"{name} = {format_number(value)}" for name, value in values.items())
        return f"<br><br>{escape(given)} → <b>{result}</b>"
    return ""


def _value_set(spec: dict[str, Any]) -> str:
    """A parameter's possible values, e.g. {1, 3, 5} or {5, 6, …, 30}."""
    if "choices" in spec:
        return "{" + ", ".join(format_number(value) for value in spec["choices"]) + "}"
    count = value_count(spec)
    indices = range(count) if count <= 4 else (0, 1, None, count - 1)
    shown = ["…" if i is None else format_number(value_at(spec, i)) for i in indices]
    return "{" + ", ".join(shown) + "}"
