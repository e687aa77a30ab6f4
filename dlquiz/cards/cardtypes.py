"""What each card type's fields are, how they are validated, and which review items a card yields."""

from __future__ import annotations

import random
import re
import string
from typing import TYPE_CHECKING, Any, Callable

from dlquiz.cards import answer_forms, expr
from dlquiz.text import LANGUAGES

if TYPE_CHECKING:
    from dlquiz.cards.deck import Card, ReviewItem

Report = Callable[[int, str], None]

FIELDS: dict[str, set[str]] = {
    "basic": {"front", "back", "reverse"},
    "cloze": {"text"},
    "choice": {"question", "options", "shuffle"},
    "typed": {"question", "answer", "accept", "match", "tolerance"},  # match/tolerance: see answer_forms
    "numeric": {"question", "params", "where", "answer", "tolerance"},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "basic": ("front", "back"),
    "cloze": ("text",),
    "choice": ("question", "options"),
    "typed": ("question", "answer"),
    "numeric": ("question", "params", "answer"),
}
TEXT_FIELDS = ("front", "back", "text", "question")

CLOZE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.DOTALL)
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
DRAW_ATTEMPTS = 1000  # numeric params are re-drawn until the `where` constraints hold


def _line(raw: Any, key: str) -> int:
    return raw.line_of(key) if hasattr(raw, "line_of") else 0


def check_text(value: Any, line: int, what: str, report: Report) -> None:
    """A text field is a non-empty string or a mapping of languages (zh, en) to non-empty strings."""
    if isinstance(value, str):
        if not value.strip():
            report(line, f"{what} is empty")
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return  # a bare number such as `answer: 0` is fine text
    if isinstance(value, dict):
        unknown = [key for key in value if key not in LANGUAGES]
        if unknown:
            report(line, f"{what}: unknown language {unknown[0]!r} (use {' / '.join(LANGUAGES)})")
        if not value:
            report(line, f"{what} has no text")
        for key, text in value.items():
            if not isinstance(text, (str, int, float)) or not str(text).strip():
                report(_line(value, key), f"{what}.{key} must be non-empty text")
        return
    report(line, f"{what} must be text or a mapping such as {{zh: ..., en: ...}}")


def as_text(value: Any) -> Any:
    """Normalise a validated text field: numbers become strings."""
    if isinstance(value, dict):
        return {key: str(text) for key, text in value.items()}
    return str(value)


def check_card(kind: str, raw: Any, label: str, report: Report) -> None:
    for name in REQUIRED[kind]:
        if name not in raw:
            report(raw.line, f"{label}: a {kind} card needs '{name}'")
    for name in TEXT_FIELDS:
        if name in raw:
            check_text(raw[name], _line(raw, name), f"{label}: {name}", report)
    _CHECKS[kind](raw, label, report)


def _check_basic(raw: Any, label: str, report: Report) -> None:
    if not isinstance(raw.get("reverse", False), bool):
        report(_line(raw, "reverse"), f"{label}: reverse must be true or false")


def cloze_numbers(text: str) -> list[str]:
    return sorted({f"c{match.group(1)}" for match in CLOZE.finditer(text)}, key=lambda c: int(c[1:]))


def _check_cloze(raw: Any, label: str, report: Report) -> None:
    text = raw.get("text")
    if text is None:
        return
    versions = {"": text} if isinstance(text, str) else {k: str(v) for k, v in text.items()} if isinstance(text, dict) else {}
    numbers = {language: cloze_numbers(str(version)) for language, version in versions.items()}
    line = _line(raw, "text")
    for language, found in numbers.items():
        where = f"text.{language}" if language else "text"
        if not found:
            report(line, f"{label}: {where} has no cloze deletion; write e.g. {{{{c1::answer}}}}")
        if "{{c" in CLOZE.sub("", versions[language]):
            report(line, f"{label}: {where} has a malformed cloze; the form is {{{{c1::answer}}}} or {{{{c1::answer::hint}}}}")
    distinct = {tuple(found) for found in numbers.values() if found}
    if len(distinct) > 1:
        shown = "; ".join(f"{language}: {', '.join(found)}" for language, found in numbers.items())
        report(line, f"{label}: every language must use the same cloze numbers ({shown})")


def _check_choice(raw: Any, label: str, report: Report) -> None:
    options = raw.get("options")
    if "shuffle" in raw and not isinstance(raw["shuffle"], bool):
        report(_line(raw, "shuffle"), f"{label}: shuffle must be true or false")
    if options is None:
        return
    if not isinstance(options, list) or len(options) < 2:
        report(_line(raw, "options"), f"{label}: options must be a list of at least two choices")
        return
    if len(options) > 9:
        report(_line(raw, "options"), f"{label}: at most 9 options (they are chosen with the keys 1-9)")
    correct = 0
    for index, option in enumerate(options):
        line = options.item_lines[index] if hasattr(options, "item_lines") else 0
        if not isinstance(option, dict) or "text" not in option:
            report(line, f"{label}: option {index + 1} must be a mapping with 'text' (and 'correct: true' if right)")
            continue
        extra = set(option) - {"text", "correct"}
        if extra:
            report(line, f"{label}: option {index + 1} has unknown field {sorted(extra)[0]!r} (allowed: text, correct)")
        check_text(option["text"], line, f"{label}: option {index + 1}", report)
        flag = option.get("correct", False)
        if not isinstance(flag, bool):
            report(line, f"{label}: option {index + 1}: correct must be true or false")
        correct += flag is True
    if correct == 0:
        report(_line(raw, "options"), f"{label}: no option is marked 'correct: true'")


def _check_typed(raw: Any, label: str, report: Report) -> None:
    if "answer" in raw:
        check_text(raw["answer"], _line(raw, "answer"), f"{label}: answer", report)
    accept = raw.get("accept", [])
    if not isinstance(accept, list) or not all(isinstance(a, (str, int, float)) and str(a).strip() for a in accept):
        report(_line(raw, "accept"), f"{label}: accept must be a list of accepted answers")
        return
    answer_forms.check_typed_fields(raw, label, report)  # `match: number|shape`: answers must be of that form


def _check_numeric(raw: Any, label: str, outer_report: Report) -> None:
    found: list[str] = []

    def report(line: int, message: str) -> None:
        found.append(message)
        outer_report(line, message)

    params = raw.get("params")
    valid_params: dict[str, Any] = {}
    if params is not None and not isinstance(params, dict):
        report(_line(raw, "params"), f"{label}: params must map names to ranges, e.g. n: {{min: 1, max: 9}}")
    elif params:
        for name, spec in params.items():
            line = _line(params, name)
            problem = _param_problem(name, spec)
            if problem:
                report(line, f"{label}: parameter {name!r}: {problem}")
            else:
                valid_params[name] = spec
    where = raw.get("where", [])
    if not isinstance(where, list) or not all(isinstance(w, str) for w in where):
        report(_line(raw, "where"), f"{label}: where must be a list of conditions such as \"n + 2*p >= k\"")
        where = []
    tolerance = raw.get("tolerance", 0)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or tolerance < 0:
        report(_line(raw, "tolerance"), f"{label}: tolerance must be a number >= 0")
    known = set(params) if isinstance(params, dict) else set()
    expressions = [("answer", raw["answer"], False)] if "answer" in raw else []
    expressions += [("where", condition, True) for condition in where]
    for field_name, expression, comparison in expressions:
        line = _line(raw, field_name)
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
    question = raw.get("question")
    for version in ([question] if isinstance(question, str) else list(question.values()) if isinstance(question, dict) else []):
        for name in PLACEHOLDER.findall(str(version)):
            if name not in known:
                report(_line(raw, "question"), f"{label}: the question shows {{{name}}}, which is not in params")
    # One trial draw proves the constraints can be met and the answer evaluates (no division by zero, …).
    if not found and valid_params and "answer" in raw:
        try:
            values = draw_params(valid_params, [str(w) for w in where], random.Random(0))
            expr.evaluate(str(raw["answer"]), values)
        except expr.ExpressionError as error:
            report(_line(raw, "answer"), f"{label}: {error}")


def _param_problem(name: Any, spec: Any) -> str | None:
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        return "names must be simple identifiers"
    if not isinstance(spec, dict):
        return "give {min: .., max: ..} or {choices: [..]}"
    if "choices" in spec:
        choices = spec["choices"]
        if set(spec) != {"choices"}:
            return "use either choices or min/max, not both"
        if not isinstance(choices, list) or not choices or not all(_is_number(c) for c in choices):
            return "choices must be a non-empty list of numbers"
        return None
    if set(spec) - {"min", "max", "step"} or "min" not in spec or "max" not in spec:
        return "give {min: .., max: ..} (optionally step) or {choices: [..]}"
    low, high, step = spec["min"], spec["max"], spec.get("step", 1)
    if not all(_is_number(v) for v in (low, high, step)):
        return "min, max and step must be numbers"
    if low > high:
        return "min is larger than max"
    if step <= 0:
        return "step must be positive"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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


_CHECKS: dict[str, Callable[[Any, str, Report], None]] = {
    "basic": _check_basic,
    "cloze": _check_cloze,
    "choice": _check_choice,
    "typed": _check_typed,
    "numeric": _check_numeric,
}


def review_items(card: "Card") -> list["ReviewItem"]:
    from dlquiz.cards.deck import ReviewItem

    if card.type == "basic":
        items = [ReviewItem(card)]
        if card.fields.get("reverse"):
            items.append(ReviewItem(card, "reverse"))
        return items
    if card.type == "cloze":
        text = card.fields["text"]
        first = text if isinstance(text, str) else next(iter(text.values()))
        return [ReviewItem(card, number) for number in cloze_numbers(str(first))]
    return [ReviewItem(card)]


def option_label(index: int) -> str:
    return string.digits[index + 1]
