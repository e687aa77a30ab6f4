"""What a card becomes in Anki: its note type and its fields as the simple HTML Anki shows.

Each card type builds its own ``AnkiNote`` (``CardType.anki_note``); ``dlquiz.interop.anki_export`` packages the notes
with genanki. Anki never moves an existing note to another note type on import, and renaming or reordering a note
type's fields would need a new model id, so a change to a note type's fields must change its name (the model id is
derived from the name).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from dlquiz.text import Text

LANG_SEPARATOR = "<br><br>"  # between the zh and en versions of one field with --lang both
EXTRA_TEMPLATE = "{{#Extra}}<div class=extra>{{Extra}}</div>{{/Extra}}"


@dataclass(frozen=True)
class CardTemplate:
    """One card Anki generates from a note: Anki's template syntax for its front and back."""

    name: str
    front: str
    back: str


@dataclass(frozen=True)
class NoteType:
    name: str
    fields: tuple[str, ...]
    templates: tuple[CardTemplate, ...]
    cloze: bool = False  # Anki's cloze model: one card per {{cN::…}} instead of one per template


@dataclass(frozen=True)
class AnkiNote:
    note_type: NoteType
    fields: tuple[str, ...]  # HTML, one per field of the note type

    def __post_init__(self) -> None:
        if len(self.fields) != len(self.note_type.fields):
            raise ValueError(
                f"note type {self.note_type.name!r} has {len(self.note_type.fields)} fields, got {len(self.fields)}"
            )


# One note type for basic cards with and without their reverse (rather than Anki's separate "Basic" and "Basic (and
# reversed card)"): "Add Reverse" decides whether Anki generates the back → front card, so toggling `reverse` in the
# YAML keeps updating the same note. Choice and numeric cards use it too, with "Add Reverse" empty.
BASIC = "dlquiz Basic (optional reversed card)"
BASIC_NOTE = NoteType(
    BASIC,
    ("Front", "Back", "Extra", "Add Reverse"),
    (
        CardTemplate("Card 1", "{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}" + EXTRA_TEMPLATE),
        CardTemplate(
            "Card 2",
            "{{#Add Reverse}}{{Back}}{{/Add Reverse}}",
            "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}" + EXTRA_TEMPLATE,
        ),
    ),
)


def html_field(text: Text, lang: str, separator: str = LANG_SEPARATOR) -> str:
    """A text field in ``lang`` as HTML: each language version converted, then joined."""
    return text.map(markdown_to_html).pick(lang, separator=separator)


def plain_field(text: Text, lang: str, separator: str = " / ") -> str:
    """A text field in ``lang`` as one line of escaped text, e.g. an answer Anki compares with what was typed."""
    return escape(text.pick(lang, separator=separator))


def escape(text: str) -> str:
    return html.escape(text, quote=False)


_FENCE = re.compile(r"```[^\n]*\n(.*?)(?:\n)?```", re.DOTALL)
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.DOTALL)


def markdown_to_html(text: str) -> str:
    """The Markdown decks use, as HTML: fenced and inline code, bold, line breaks; everything else escaped.

    Deliberately small: a single ``*`` stays literal because formulas such as ``2*p`` are common in these decks.
    """
    parts: list[str] = []
    position = 0
    text = text.strip()
    for match in _FENCE.finditer(text):
        parts.append(_inline(text[position : match.start()].rstrip("\n")))
        # Inside <pre> the line breaks are kept as they are: Anki shows them.
        parts.append(f"<pre><code>{escape(match.group(1))}</code></pre>")
        position = match.end()
    parts.append(_inline(text[position:].lstrip("\n")))
    return "".join(parts)


def _inline(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for match in _INLINE_CODE.finditer(text):  # code first, so ** inside code stays literal
        pieces.append(_emphasis(escape(text[position : match.start()])))
        pieces.append(f"<code>{escape(match.group(1))}</code>")
        position = match.end()
    pieces.append(_emphasis(escape(text[position:])))
    return "".join(pieces).replace("\n", "<br>")


def _emphasis(escaped: str) -> str:
    return _BOLD.sub(lambda match: f"<b>{match.group(1) or match.group(2)}</b>", escaped)
