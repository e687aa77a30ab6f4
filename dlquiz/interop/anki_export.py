"""Anki packages (.apkg) built from decks with genanki.

Every id in the package is derived, never random, so that exporting again after an edit *updates* the notes already
in Anki instead of adding copies: note GUIDs come from (deck id, card id) — the same key progress uses, so fixing a
card's text keeps its Anki note too — and the note types and Anki decks have fixed ids derived from their names.

How card types map to Anki notes:

- basic   → "dlquiz Basic (optional reversed card)": Front, Back, Extra, Add Reverse. ``reverse: true`` fills
            Add Reverse, which makes Anki generate the back → front card too. One note type for both cases (rather
            than Anki's separate "Basic" and "Basic (and reversed card)") because Anki never moves an existing note to
            another note type on import: toggling ``reverse`` in the YAML would otherwise stop the note updating.
- cloze   → "dlquiz Cloze": Text, Extra; ``{{cN::answer::hint}}`` is Anki's own syntax and is kept as it is. With
            --lang both, each language version is in Text, so card cN hides deletion N in both.
- choice  → the basic note type: the question with the options numbered in deck order on the front, the correct
            option(s) on the back (Anki has no multiple-choice note type).
- typed   → "dlquiz Typed (type in the answer)": Front, Back, Also accepted, Extra; Anki asks for the answer with
            ``{{type:Back}}`` and compares it with Back, so Back holds the plain answer and the other accepted
            answers go to their own field.
- numeric → the basic note type: the question template with its {placeholders}, the range of every parameter and the
            ``where`` conditions on the front; the formula and one worked example on the back (Anki cannot draw new
            numbers at each review).
"""

from __future__ import annotations

import hashlib
import html
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlquiz.cards import cardtypes
from dlquiz.review import clock
from dlquiz.cards import expr
from dlquiz import fsutil
from dlquiz.errors import DlquizError
from dlquiz.text import map_text, pick

if TYPE_CHECKING:
    from dlquiz.cards.deck import Card, Deck

LANG_SEPARATOR = "<br><br>"  # between the zh and en versions of one field with --lang both

CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: center; color: black; background-color: white; }
.cloze { font-weight: bold; color: blue; }
.nightMode .cloze { color: lightblue; }
.extra, .accepted, .params { font-size: 16px; color: #666; margin-top: 1em; }
code, pre { font-family: monospace; text-align: left; }
"""
_EXTRA = "{{#Extra}}<div class=extra>{{Extra}}</div>{{/Extra}}"

# Note types: (name, fields, templates, is_cloze). Renaming or reordering fields would need a new model id in Anki,
# so a change here must change the name (and with it the derived id).
BASIC = "dlquiz Basic (optional reversed card)"
CLOZE = "dlquiz Cloze"
TYPED = "dlquiz Typed (type in the answer)"
_MODELS: dict[str, tuple[list[str], list[dict[str, str]], bool]] = {
    BASIC: (
        ["Front", "Back", "Extra", "Add Reverse"],
        [
            {"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}" + _EXTRA},
            {
                "name": "Card 2",
                "qfmt": "{{#Add Reverse}}{{Back}}{{/Add Reverse}}",
                "afmt": "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}" + _EXTRA,
            },
        ],
        False,
    ),
    CLOZE: (
        ["Text", "Extra"],
        [{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}" + _EXTRA}],
        True,
    ),
    TYPED: (
        ["Front", "Back", "Also accepted", "Extra"],
        [
            {
                "name": "Card 1",
                "qfmt": "{{Front}}\n\n{{type:Back}}",
                "afmt": "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}"
                "{{#Also accepted}}<div class=accepted>{{Also accepted}}</div>{{/Also accepted}}" + _EXTRA,
            }
        ],
        False,
    ),
}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    decks: int
    notes: int
    cards: int  # the cards Anki will generate from those notes


def stable_id(*parts: str) -> int:
    """A fixed id in Anki's range for model and deck ids (31 bits, away from the small ids Anki uses itself)."""
    digest = hashlib.sha256("::".join(("dlquiz", *parts)).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def note_guid(deck_id: str, card_id: str) -> str:
    import genanki

    return genanki.guid_for(deck_id, card_id)


def export_anki(decks: list[Deck], path: Path, lang: str) -> ExportResult:
    """Write ``decks`` to the Anki package ``path`` (replaced atomically), fields in ``lang`` (zh, en or both)."""
    import genanki

    if not decks:
        raise DlquizError("no deck to export", "Name a deck, or run `dlquiz decks` to see them.", exit_code=2)
    models = {name: _model(genanki, name) for name in _MODELS}
    packaged, notes, cards = [], 0, 0
    for deck in decks:
        anki_deck = genanki.Deck(
            stable_id("deck", deck.id),
            pick(deck.title, lang, separator=" / "),
            description=_html(deck.description, lang) if deck.description is not None else "",
        )
        for card in deck.cards:
            model_name, fields = _note_fields(card, lang)
            anki_deck.add_note(
                genanki.Note(
                    model=models[model_name],
                    fields=fields,
                    tags=[anki_tag(tag) for tag in card.tags],
                    guid=note_guid(deck.id, card.id),
                )
            )
            notes += 1
            cards += len(cardtypes.review_items(card))  # the same cards dlquiz itself reviews
        packaged.append(anki_deck)
    _write(genanki.Package(packaged), path)
    return ExportResult(path=path, decks=len(packaged), notes=notes, cards=cards)


def anki_tag(tag: str) -> str:
    """Anki separates tags with spaces, so a space inside one tag becomes '_'."""
    return "_".join(tag.split())


def _model(genanki: Any, name: str) -> Any:
    fields, templates, is_cloze = _MODELS[name]
    return genanki.Model(
        stable_id("model", name),
        name,
        fields=[{"name": field} for field in fields],
        templates=templates,
        css=CSS,
        model_type=genanki.Model.CLOZE if is_cloze else genanki.Model.FRONT_BACK,
    )


def _write(package: Any, path: Path) -> None:
    """Write next to the target and rename, so an interrupted export never leaves half a package behind."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with fsutil.atomic_path(path) as temporary:
            # Anki updates a note on import only when the package's note is newer than its own (its default), so the
            # notes carry the export time; DLQUIZ_NOW makes it reproducible in tests.
            package.write_to_file(str(temporary), timestamp=clock.now().timestamp())
    except OSError as error:
        raise DlquizError(f"cannot write {path}: {error.strerror}", "Check the folder is writable.") from None


# --- fields of each card type -------------------------------------------------------------------------------------

def _note_fields(card: Card, lang: str) -> tuple[str, list[str]]:
    fields = card.fields
    extra = _html(fields.get("extra"), lang)
    if card.type == "basic":
        reverse = "y" if fields.get("reverse") else ""
        return BASIC, [_html(fields["front"], lang), _html(fields["back"], lang), extra, reverse]
    if card.type == "cloze":
        return CLOZE, [_html(fields["text"], lang), extra]
    if card.type == "typed":
        accepted = ", ".join(html.escape(str(answer), quote=False) for answer in fields.get("accept", []))
        # type:Back compares with the field's text, so it stays one plain line ("0", not "<b>0</b>").
        answer = html.escape(pick(cardtypes.as_text(fields["answer"]), lang, separator=" / "), quote=False)
        return TYPED, [_html(fields["question"], lang), answer, accepted, extra]
    if card.type == "choice":
        return BASIC, [*_choice(fields, lang), extra, ""]
    return BASIC, [*_numeric(card, lang), extra, ""]


def _choice(fields: dict[str, Any], lang: str) -> tuple[str, str]:
    options = [_html(option["text"], lang, separator=" / ") for option in fields["options"]]
    numbered = [f"{cardtypes.option_label(index)}. {text}" for index, text in enumerate(options)]
    correct = [numbered[i] for i, option in enumerate(fields["options"]) if option.get("correct") is True]
    return _html(fields["question"], lang) + "<br><br>" + "<br>".join(numbered), "<br>".join(correct)


def _numeric(card: Card, lang: str) -> tuple[str, str]:
    from dlquiz.cards.challenge import format_number

    fields = card.fields
    params, where = dict(fields["params"]), [str(condition) for condition in fields.get("where", [])]
    ranges = [f"{name} ∈ {_value_set(spec)}" for name, spec in params.items()]
    conditions = "<br>" + html.escape(", ".join(where), quote=False) if where else ""
    ranges_html = html.escape("; ".join(ranges), quote=False)
    front = _html(fields["question"], lang) + f"<div class=params>{ranges_html}{conditions}</div>"
    tolerance = fields.get("tolerance", 0)
    within = f" (± {format_number(tolerance)})" if tolerance else ""
    back = f"<code>{html.escape(str(fields['answer']), quote=False)}</code>{within}"
    # One worked example, drawn from the card's id so every export shows the same one. Seed 0 is the draw deck
    # validation already made work, for the rare formula that fails on some values (a division by zero).
    for seed in (f"{card.deck_id}::{card.id}", 0):
        try:
            values = cardtypes.draw_params(params, where, random.Random(seed))
            result = format_number(expr.evaluate(str(fields["answer"]), values))
        except expr.ExpressionError:
            continue
        given = ", ".join(f"{name} = {format_number(value)}" for name, value in values.items())
        return front, back + f"<br><br>{html.escape(given, quote=False)} → <b>{result}</b>"
    return front, back


def _value_set(spec: dict[str, Any]) -> str:
    """A parameter's possible values, e.g. {1, 3, 5} or {5, 6, …, 30}."""
    from dlquiz.cards.challenge import format_number

    if "choices" in spec:
        return "{" + ", ".join(format_number(value) for value in spec["choices"]) + "}"
    low, high, step = spec["min"], spec["max"], spec.get("step", 1)
    count = int((high - low) // step) + 1  # draws are low + step * i, i = 0 … count - 1 (as cardtypes draws them)
    indices = range(count) if count <= 4 else (0, 1, None, count - 1)
    shown = ["…" if i is None else format_number(round(low + step * i, 10)) for i in indices]
    return "{" + ", ".join(shown) + "}"


# --- Markdown → the simple HTML Anki shows ------------------------------------------------------------------------

_FENCE = re.compile(r"```[^\n]*\n(.*?)(?:\n)?```", re.DOTALL)
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.DOTALL)


def _html(value: Any, lang: str, separator: str = LANG_SEPARATOR) -> str:
    """A deck text field in ``lang`` as HTML: each language version converted, then joined."""
    if value is None:
        return ""
    return pick(map_text(cardtypes.as_text(value), markdown_to_html), lang, separator=separator)


def markdown_to_html(text: str) -> str:
    """The Markdown decks use, as HTML: fenced and inline code, bold, line breaks; everything else escaped.

    Deliberately small: a single ``*`` stays literal because formulas such as ``2*p`` are common in these decks.
    """
    parts: list[str] = []
    position = 0
    text = text.strip()
    for match in _FENCE.finditer(text):
        parts.append(_inline(text[position:match.start()].rstrip("\n")))
        # Inside <pre> the line breaks are kept as they are: Anki shows them.
        parts.append(f"<pre><code>{html.escape(match.group(1), quote=False)}</code></pre>")
        position = match.end()
    parts.append(_inline(text[position:].lstrip("\n")))
    return "".join(parts)


def _inline(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for match in _INLINE_CODE.finditer(text):  # code first, so ** inside code stays literal
        pieces.append(_emphasis(html.escape(text[position:match.start()], quote=False)))
        pieces.append(f"<code>{html.escape(match.group(1), quote=False)}</code>")
        position = match.end()
    pieces.append(_emphasis(html.escape(text[position:], quote=False)))
    return "".join(pieces).replace("\n", "<br>")


def _emphasis(escaped: str) -> str:
    return _BOLD.sub(lambda match: f"<b>{match.group(1) or match.group(2)}</b>", escaped)
