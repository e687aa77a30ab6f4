"""How a typed answer is compared with the card's answer: as text, as a number, or as a tensor shape.

A typed card says which with ``match``:

- ``text`` (the default): case, runs of white space and full-width characters are folded (``normalize_answer``).
- ``number``: the learner's text is read as a number (``.5``, ``5.``, ``1/4``, ``1e-3``, ``2^-2``, ``25%``) and
  compared with the answer within ``tolerance`` (absolute; without one, only rounding noise is forgiven).
- ``shape``: the text is read as a tuple of sizes, so every spelling of the *same* shape matches:
  ``(2, 10, 16)``, ``2,10,16``, ``[2, 10, 16]``, ``2×10×16``, ``2x10x16``, ``2 10 16``, ``torch.Size([2, 10, 16])``.
  A one-dimensional shape may be written ``(4,)``, ``4``, ``[4]`` or ``torch.Size([4])``.

  Different shapes never match by themselves: ``(4,)`` is not ``(1, 4)``, because in PyTorch they are different
  tensors (a vector and a one-row matrix). A card for which both are right says so by listing both, e.g.
  ``answer: "1×4"`` with ``accept: ["(4,)"]``; each listed shape then matches in every spelling.

Everything here is a pure function of strings, so it can be tested on its own and used by any card type.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from dlquiz.cards import expr
from dlquiz.cards.fields import Report
from dlquiz.text import Text, normalize_answer

FORMS = ("text", "number", "shape")
DEFAULT_FORM = "text"

Shape = tuple[int, ...]

# Punctuation a learner may type after an answer. '.' is not among them: `5.` is a number.
_SENTENCE_END = "。．，,；;！!？?"
_MINUS = {"\u2212": "-", "\u2013": "-", "\u2014": "-", "\uff0d": "-"}  # −, –, —, full-width hyphen
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")

# Shape spellings: `torch.Size([...])`, one pair of brackets, then sizes split by one kind of separator.
_SIZE_WRAPPER = re.compile(r"^(?:torch\s*\.\s*)?size\s*\((.*)\)$", re.DOTALL)
_TIMES = r"(?:x|×|\*|by|乘)"
_COMMA = r"(?:,|、)"
_SIZES_BY = {
    "times": re.compile(rf"\d+(?:\s*{_TIMES}\s*\d+)+"),
    "comma": re.compile(rf"\d+(?:\s*{_COMMA}\s*\d+)*(?:\s*{_COMMA})?"),  # a trailing comma, as in (4,)
    "space": re.compile(r"\d+(?:\s+\d+)+"),
}


def _fold(text: str) -> str:
    """Full-width → ASCII, case folded, outer spaces and trailing sentence punctuation removed."""
    folded = unicodedata.normalize("NFKC", text)
    for dash, minus in _MINUS.items():
        folded = folded.replace(dash, minus)
    return folded.strip().rstrip(_SENTENCE_END).strip().casefold()


def parse_number(text: str) -> float | None:
    """The number a learner typed, or None when it is not one.

    Accepts what a person writes for a number: ``7``, ``-3.5``, ``.5``, ``5.``, ``1/4``, ``¼``, ``1e-3``,
    ``2^-2``, ``25%``, ``1,000`` (thousands separators), and simple arithmetic such as ``sqrt(2)``.
    """
    folded = _fold(text).replace("\u2044", "/")  # NFKC spells ¼ as 1⁄4 with a fraction slash
    folded = _THOUSANDS.sub("", folded).replace("^", "**").replace("×", "*")
    scale = 1.0
    if folded.endswith("%"):
        folded, scale = folded[:-1].strip(), 0.01
    if not folded:
        return None
    try:
        value = expr.evaluate(folded, {})
    except (expr.ExpressionError, RecursionError):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value) * scale
    return number if math.isfinite(number) else None


def numbers_match(response: str, expected: float, tolerance: float = 0.0) -> bool:
    """True when the learner's number equals ``expected`` within the absolute ``tolerance``."""
    given = parse_number(response)
    if given is None:
        return False
    return math.isclose(given, expected, rel_tol=1e-9, abs_tol=max(tolerance, 1e-12))


def parse_shape(text: str) -> Shape | None:
    """The sizes of a shape however it is spelled, or None when the text is not a shape.

    ``(2, 10, 16)``, ``2,10,16``, ``[2,10,16]``, ``2×10×16``, ``2 x 10 x 16``, ``2 10 16`` and
    ``torch.Size([2, 10, 16])`` all give ``(2, 10, 16)``; ``(4,)``, ``4`` and ``[4]`` give ``(4,)``;
    ``()`` and ``torch.Size([])`` give the empty shape of a scalar. Mixed separators (``2x10,16``) are not a shape.
    """
    inner = _fold(text)
    if not inner:
        return None  # an empty answer means "I don't know", never the empty shape ()
    wrapped = _SIZE_WRAPPER.match(inner)
    if wrapped:
        inner = wrapped.group(1).strip()
    if len(inner) >= 2 and (inner[0], inner[-1]) in {("(", ")"), ("[", "]")}:
        inner = inner[1:-1].strip()
    elif wrapped and inner:
        return None  # torch.Size takes a list or a tuple: torch.Size([2, 3])
    if any(bracket in inner for bracket in "()[]"):
        return None
    if not inner:
        return ()
    for pattern in _SIZES_BY.values():
        if pattern.fullmatch(inner):
            return tuple(int(size) for size in re.findall(r"\d+", inner))
    return None


def format_shape(shape: Shape) -> str:
    """A shape as Python writes a tuple: ``()``, ``(4,)``, ``(2, 10, 16)``."""
    return str(tuple(shape))


def accepts(response: str, accepted: Sequence[str], form: str = DEFAULT_FORM, tolerance: float = 0.0) -> bool:
    """Does the learner's ``response`` match one of the ``accepted`` answers, compared as ``form``?"""
    if form == "number":
        expected = [parse_number(answer) for answer in accepted]
        return any(value is not None and numbers_match(response, value, tolerance) for value in expected)
    if form == "shape":
        given = parse_shape(response)
        return given is not None and given in {parse_shape(answer) for answer in accepted}
    key = normalize_answer(response)
    return bool(key) and key in {normalize_answer(answer) for answer in accepted}


# -- validating a typed card's `match`, `answer`, `accept` and `tolerance` ----------------------------------------


def _line(raw: Any, key: str) -> int:
    return raw.line_of(key) if hasattr(raw, "line_of") else 0


def _versions(answer: Any) -> list[str]:
    if isinstance(answer, dict):
        return [str(text) for text in answer.values()]
    return [str(answer)]


_FORM_EXAMPLES = {
    "number": Text(zh="像 0.25、.25 或 1/4 这样的数", en="a number such as 0.25, .25 or 1/4"),
    "shape": Text(
        zh="像 (2, 3)、2×3 或 torch.Size([2, 3]) 这样的形状", en="a shape such as (2, 3), 2×3 or torch.Size([2, 3])"
    ),
}


def check_typed_fields(raw: Any, label: Text, report: Report) -> None:
    """Report a bad ``match``, an answer or accepted answer that is not of that form, or a misplaced tolerance."""
    form = raw.get("match", DEFAULT_FORM)
    if form not in FORMS:
        forms = ", ".join(FORMS)
        report(
            _line(raw, "match"),
            f"{label.en}: match must be one of {forms}, not {form!r}",
            f"{label.zh}：match 必须是 {forms} 之一，而不是 {form!r}",
        )
        return
    if "tolerance" in raw:
        tolerance = raw["tolerance"]
        if form != "number":
            report(
                _line(raw, "tolerance"),
                f"{label.en}: tolerance only applies to `match: number`",
                f"{label.zh}：tolerance 只用于 `match: number`",
            )
        elif (
            isinstance(tolerance, bool)
            or not isinstance(tolerance, (int, float))
            or not math.isfinite(tolerance)
            or tolerance < 0
        ):
            report(_line(raw, "tolerance"), *bad_tolerance(label))
    if form == DEFAULT_FORM:
        return
    parse = parse_number if form == "number" else parse_shape
    candidates: list[tuple[int, Text, str]] = []
    if "answer" in raw:
        candidates += [
            (_line(raw, "answer"), Text(zh="answer", en="answer"), text) for text in _versions(raw["answer"])
        ]
    accept = raw.get("accept", [])
    if isinstance(accept, list):
        lines = getattr(accept, "item_lines", [])
        for index, text in enumerate(accept):
            line = lines[index] if index < len(lines) else _line(raw, "accept")
            candidates.append((line, Text(zh=f"accept 第 {index + 1} 项", en=f"accept entry {index + 1}"), str(text)))
    example = _FORM_EXAMPLES.get(form, Text())
    for line, what, text in candidates:
        if parse(text) is None:
            report(
                line,
                f"{label.en}: {what.en} {text!r} is not {example.en} (the card says match: {form})",
                f"{label.zh}：{what.zh} {text!r} 不是{example.zh}（这张卡片写了 match: {form}）",
            )


def bad_tolerance(label: Text) -> tuple[str, str]:
    """The (English, Chinese) problem of a tolerance that is not a finite number >= 0 (typed and numeric cards)."""
    return f"{label.en}: tolerance must be a finite number >= 0", f"{label.zh}：tolerance 必须是 >= 0 的有限数"
