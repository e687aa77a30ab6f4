"""Anki packages (.apkg) built from decks with genanki.

Every id in the package is derived, never random, so that exporting again after an edit *updates* the notes already
in Anki instead of adding copies: note GUIDs come from (deck id, card id) — the same key progress uses, so fixing a
card's text keeps its Anki note too — and the note types and Anki decks have fixed ids derived from their names.

What a card becomes in Anki is its card type's business (``CardType.anki_note`` in ``dlquiz.cards.types``): this
module only asks the registry for each card's note and packages the notes, with one genanki model per note type used.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlquiz import fsutil
from dlquiz.cards import types
from dlquiz.cards.anki_note import NoteType, html_field
from dlquiz.errors import DlquizError
from dlquiz.review import clock
from dlquiz.text import Text, strip_controls

if TYPE_CHECKING:
    from dlquiz.cards.deck import Deck

CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: center; color: black; background-color: white; }
.cloze { font-weight: bold; color: blue; }
.nightMode .cloze { color: lightblue; }
.extra, .accepted, .params { font-size: 16px; color: #666; margin-top: 1em; }
code, pre { font-family: monospace; text-align: left; }
"""


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
    models: dict[str, tuple[NoteType, Any]] = {}  # note type name → (its definition, its genanki model)
    packaged, notes, cards = [], 0, 0
    for deck in decks:
        anki_deck = genanki.Deck(
            stable_id("deck", deck.id),
            # Anki shows deck names as HTML, as it does fields: a title like "<img src=x onerror=…>" stays text.
            html.escape(strip_controls(Text.of(deck.title).pick(lang, separator=" / ")), quote=False),
            description=html_field(Text.of(deck.description), lang) if deck.description is not None else "",
        )
        for card in deck.cards:
            note = types.anki_note(card, lang)
            anki_deck.add_note(
                genanki.Note(
                    model=_model(genanki, note.note_type, models),
                    fields=list(note.fields),
                    tags=[anki_tag(tag) for tag in card.tags],
                    guid=note_guid(deck.id, card.id),
                )
            )
            notes += 1
            cards += len(types.review_items(card))  # the same cards dlquiz itself reviews
        packaged.append(anki_deck)
    _write(genanki.Package(packaged), path)
    return ExportResult(path=path, decks=len(packaged), notes=notes, cards=cards)


def anki_tag(tag: str) -> str:
    """Anki separates tags with spaces, so a space inside one tag becomes '_'."""
    return "_".join(tag.split())


def _model(genanki: Any, note_type: NoteType, models: dict[str, tuple[NoteType, Any]]) -> Any:
    """The genanki model of ``note_type``, made once per export. Anki knows a note type by its id, which comes from
    its name, so two different note types with one name would corrupt each other: refuse that."""
    if note_type.name in models:
        known, model = models[note_type.name]
        if known != note_type:
            raise ValueError(f"two different Anki note types are both called {note_type.name!r}")
        return model
    model = genanki.Model(
        stable_id("model", note_type.name),
        note_type.name,
        fields=[{"name": field} for field in note_type.fields],
        templates=[{"name": t.name, "qfmt": t.front, "afmt": t.back} for t in note_type.templates],
        css=CSS,
        model_type=genanki.Model.CLOZE if note_type.cloze else genanki.Model.FRONT_BACK,
    )
    models[note_type.name] = (note_type, model)
    return model


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
