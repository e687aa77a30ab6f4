"""Numeric cards: parameters drawn afresh at every review; the answer is arithmetic of them (``dlquiz.cards.expr``)."""

from __future__ import annotations

import math
import random
import re
from typing import Any

from dlquiz.cards import expr
from dlquiz.cards.anki_note import BASIC_NOTE, AnkiNote, escape, html_field
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import INPUT, Challenge
from dlquiz.cards.fields import TEXT_SCHEMA, Report, is_number, line_of
from dlquiz.cards.types.base import CardType
from dlquiz.text import normalize_answer

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")  # {name} in the question shows a drawn parameter
DRAW_ATTEMPTS = 1000  # numeric params are re-drawn until the `where` constraints hold

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

    def check_fields(self, raw: Any, label: str, report: Report) -> None:
        found: list[str] = []

        def counted(line: int, message: str) -> None:
            found.append(message)
            report(line, message)

        valid_params = _check_params(raw, label, counted)
        where = raw.get("where", [])
        if not isinstance(where, list) or not all(isinstance(w, str) for w in where):
            counted(line_of(raw, "where"), f"{label}: where must be a list of conditions such as \"n + 2*p >= k\"")
            where = []
        tolerance = raw.get("tolerance", 0)
        if not is_number(tolerance) or tolerance < 0:
            counted(line_of(raw, "tolerance"), f"{label}: tolerance must be a number >= 0")
        known = set(raw["params"]) if isinstance(raw.get("params"), dict) else set()
        _check_expressions(raw, label, where, known, counted)
        question = raw.get("question")
        versions = (
            list(question.values()) if isinstance(question, dict) else [question] if isinstance(question, str) else []
        )
        for version in versions:
            for name in PLACEHOLDER.findall(str(version)):
                if name not in known:
                    counted(line_of(raw, "question"), f"{label}: the question shows {{{name}}}, which is not in params")
        # One trial draw proves the constraints can be met and the answer evaluates (no division by zero, …).
        if not found and valid_params and "answer" in raw:
            try:
                values = draw_params(valid_params, [str(w) for w in where], random.Random(0))
                expr.evaluate(str(raw["answer"]), values)
            except expr.ExpressionError as error:
                counted(line_of(raw, "answer"), f"{label}: {error}")

    def challenge(self, item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
        fields = item.card.fields
        values = draw_params(dict(fields["params"]), [str(w) for w in fields.get("where", [])], rng)
        expected = expr.evaluate(str(fields["answer"]), values)
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


def _check_params(raw: Any, label: str, report: Report) -> dict[str, Any]:
    """Report bad parameters; return the valid ones."""
    params = raw.get("params")
    valid: dict[str, Any] = {}
    if params is not None and not isinstance(params, dict):
        report(line_of(raw, "params"), f"{label}: params must map names to ranges, e.g. n: {{min: 1, max: 9}}")
    elif params:
        for name, spec in params.items():
            problem = _param_problem(name, spec)
            if problem:
                report(line_of(params, name), f"{label}: parameter {name!r}: {problem}")
            else:
                valid[name] = spec
    return valid


def _check_expressions(raw: Any, label: str, where: list[str], known: set[str], report: Report) -> None:
    """The answer and the `where` conditions must parse and use only the params."""
    expressions = [("answer", raw["answer"], False)] if "answer" in raw else []
    expressions += [("where", condition, True) for condition in where]
    for field_name, expression, comparison in expressions:
        line = line_of(raw, field_name)
        if not isinstance(expression, (str, int, float)) or isinstance(expression, bool):
            report(line, f"{label}: {field_name} must be an arithmetic expression")
            continue
        try:
            unknown = expr.names(str(expression), allow_comparison=comparison) - known
        except expr.ExpressionError as error:
            report(line, f"{label}: {field_name} {str(expression)!r}: {error}")
            continue
        if unknown:
            report(line, f"{label}: {field_name} uses {', '.join(sorted(unknown))}, which is not in params")


def _param_problem(name: Any, spec: Any) -> str | None:
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        return "names must be simple identifiers"
    if not isinstance(spec, dict):
        return "give {min: .., max: ..} or {choices: [..]}"
    if "choices" in spec:
        choices = spec["choices"]
        if set(spec) != {"choices"}:
            return "use either choices or min/max, not both"
        if not isinstance(choices, list) or not choices or not all(is_number(c) for c in choices):
            return "choices must be a non-empty list of numbers"
        return None
    if set(spec) - {"min", "max", "step"} or "min" not in spec or "max" not in spec:
        return "give {min: .., max: ..} (optionally step) or {choices: [..]}"
    low, high, step = spec["min"], spec["max"], spec.get("step", 1)
    if not all(is_number(v) for v in (low, high, step)):
        return "min, max and step must be numbers"
    if low > high:
        return "min is larger than max"
    if step <= 0:
        return "step must be positive"
    return None


def draw_params(params: dict[str, Any], where: list[str], rng: random.Random) -> dict[str, Any]:
    """Draw one value per parameter until every ``where`` condition holds."""
    for _attempt in range(DRAW_ATTEMPTS):
        values = {name: _draw_one(spec, rng) for name, spec in params.items()}
        if all(expr.holds(condition, values) for condition in where):
            return values
    raise expr.ExpressionError(f"no draw of the params satisfied {where} in {DRAW_ATTEMPTS} tries")


def _draw_one(spec: dict[str, Any], rng: random.Random) -> int | float:
    if "choices" in spec:
        return rng.choice(spec["choices"])
    low, high, step = spec["min"], spec["max"], spec.get("step", 1)
    count = int((high - low) // step)
    value = low + step * rng.randint(0, count)
    return value if all(isinstance(v, int) for v in (low, high, step)) else round(value, 10)


def numeric_match(response: str, expected: float, tolerance: float) -> bool:
    text = normalize_answer(response).replace(",", "")
    try:
        given = expr.evaluate(text, {})  # accepts 7, -3.5, 1e-3, 3/4, sqrt(2)
    except expr.ExpressionError:
        return False
    return math.isclose(given, expected, rel_tol=1e-9, abs_tol=max(tolerance, 1e-12))


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
    low, high, step = spec["min"], spec["max"], spec.get("step", 1)
    count = int((high - low) // step) + 1  # draws are low + step * i, i = 0 … count - 1 (as _draw_one draws them)
    indices = range(count) if count <= 4 else (0, 1, None, count - 1)
    shown = ["…" if i is None else format_number(round(low + step * i, 10)) for i in indices]
    return "{" + ", ".join(shown) + "}"
