"""`dlquiz export anki`, proved with the official `anki` package: every package is imported into a fresh Anki
collection and checked there — note types, fields, tags, the cards Anki generates, and that importing a re-export
after an edit updates the notes instead of duplicating them.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sqlite3
import sys
import warnings
import zipfile
from contextlib import closing
from pathlib import Path

import genanki
import pytest
import yaml
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from typer.testing import CliRunner

from dlquiz.interop import anki_export
from dlquiz.cards.anki_note import BASIC, markdown_to_html
from dlquiz.cards.types.cloze import CLOZE
from dlquiz.cards.types.typed import TYPED
from dlquiz.interop.anki_export import stable_id
from dlquiz.cli.app import app
from dlquiz.cards.deck import load_deck

ROOT = Path(__file__).resolve().parents[1]
LATER = "2026-03-09T09:00:00+00:00"  # a week after conftest's fixed clock
runner = CliRunner()


@pytest.fixture
def deck_file(tmp_path, all_types_deck) -> Path:
    """An editable copy of tests/data/all_types.yaml (one card of each type)."""
    path = tmp_path / "sample.yaml"
    path.write_text(all_types_deck.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture
def collection(tmp_path):
    folder = tmp_path / "anki-profile"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


def export(deck: Path, target: Path, lang: str = "en"):
    result = runner.invoke(app, ["export", "anki", str(deck), "-o", str(target), "--lang", lang])
    assert result.exit_code == 0, result.output
    return result


def import_into(col: Collection, package: Path):
    """Import as Anki does by default: a note already present is updated when the package's copy is newer."""
    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def notes_by_guid(col: Collection) -> dict:
    return {note.guid: note for note in (col.get_note(nid) for nid in col.find_notes(""))}


def guid(card_id: str) -> str:
    return genanki.guid_for("sample", card_id)


def test_round_trip_into_a_fresh_anki_collection(deck_file, collection, tmp_path):
    package = tmp_path / "sample.apkg"
    result = export(deck_file, package)
    deck = load_deck(deck_file)
    assert f"{len(deck.cards)} notes ({len(deck.items())} cards) from 1 deck(s)" in result.output
    log = import_into(collection, package)
    assert (len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)) == (5, 0, 0, 0)
    assert (collection.note_count(), collection.card_count()) == (5, 7)
    assert "Sample" in [d.name for d in collection.decks.all_names_and_ids()]
    notes = notes_by_guid(collection)
    assert set(notes) == {guid(card.id) for card in deck.cards}

    basic = notes[guid("relu-basic")]
    assert basic.note_type()["name"] == BASIC
    assert dict(basic.items()) == {"Front": "What is ReLU?", "Back": "max(0, x)", "Extra": "", "Add Reverse": "y"}
    assert basic.tags == ["activation"]
    forward, backward = sorted(basic.cards(), key=lambda card: card.ord)  # reverse: true gives the second card
    assert ("What is ReLU?" in forward.question(), "max(0, x)" in backward.question()) == (True, True)

    cloze = notes[guid("bn-cloze")]
    assert cloze.note_type()["name"] == CLOZE and cloze.tags == ["normalization"]
    assert cloze["Text"] == deck.cards[1].fields["text"]["en"]  # {{cN::…::hint}} kept as Anki's own syntax
    first, second = sorted(cloze.cards(), key=lambda card: card.ord)  # c1 and c2: two cards
    assert "[...]" in first.question() and "the current batch" not in first.question()
    assert "[two words]" in second.question() and "the current batch" in second.question()

    choice = notes[guid("bn-choice")]
    assert choice.note_type()["name"] == BASIC and choice.tags == ["normalization"]
    assert choice["Front"] == (
        "Which variance does BN normalise with in training?<br><br>"
        "1. the biased variance<br>2. the unbiased variance<br>3. running_var"
    )
    assert choice["Back"] == "1. the biased variance" and choice["Add Reverse"] == ""
    assert len(choice.cards()) == 1

    typed = notes[guid("gap-params")]
    assert typed.note_type()["name"] == TYPED and typed.tags == ["pooling"]
    assert (typed["Back"], typed["Also accepted"]) == ("0", "zero, 零")
    assert "[[type:Back]]" in typed.cards()[0].question()  # Anki asks for the answer to be typed

    numeric = notes[guid("conv-size")]
    assert numeric.note_type()["name"] == BASIC and numeric.tags == ["cnn"] and len(numeric.cards()) == 1
    assert numeric["Front"].startswith("Input {n}, kernel {k}, padding {p}, stride {s}: output size?")
    assert "n ∈ {5, 6, …, 30}; k ∈ {1, 3, 5}; p ∈ {0, 1, 2}; s ∈ {1, 2}<br>n + 2*p &gt;= k" in numeric["Front"]
    assert numeric["Back"].startswith("<code>floor((n + 2*p - k) / s) + 1</code>")
    # The worked example on the back must be right: recompute it from the values it states.
    example = re.search(r"n = (\d+), k = (\d+), p = (\d+), s = (\d+) → <b>(\d+)</b>", numeric["Back"])
    n, k, p, s, shown = map(int, example.groups())
    assert n + 2 * p >= k and shown == math.floor((n + 2 * p - k) / s) + 1


def test_reexport_after_an_edit_updates_notes_instead_of_duplicating(deck_file, collection, tmp_path, monkeypatch):
    first = tmp_path / "v1.apkg"
    export(deck_file, first)
    assert len(import_into(collection, first).new) == 5

    data = yaml.safe_load(deck_file.read_text(encoding="utf-8"))
    data["cards"][0]["back"] = {"zh": "max(0, x)", "en": "the **positive part** of x"}
    data["cards"][0]["tags"] = ["activation", "piecewise linear"]  # Anki tags have no spaces
    data["cards"][1]["text"]["en"] = "BN normalises with {{c1::the batch}}'s statistics, then {{c2::running}} ones"
    data["cards"].append({"id": "new-card", "type": "basic", "front": "A new question", "back": "A new answer"})
    deck_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("DLQUIZ_NOW", LATER)  # a later export, as in real life
    second = tmp_path / "v2.apkg"
    export(deck_file, second)

    log = import_into(collection, second)
    assert (len(log.new), len(log.duplicate), len(log.conflicting)) == (1, 0, 0)
    assert (collection.note_count(), collection.card_count()) == (6, 8)  # 5 notes, 7 cards before; +1 of each
    notes = notes_by_guid(collection)
    assert notes[guid("relu-basic")]["Back"] == "the <b>positive part</b> of x"
    assert notes[guid("relu-basic")].tags == ["activation", "piecewise_linear"]
    assert notes[guid("bn-cloze")]["Text"].startswith("BN normalises with {{c1::the batch}}")
    assert notes[guid("new-card")]["Front"] == "A new question"

    again = import_into(collection, second)  # the same package twice changes nothing
    assert (len(again.new), len(again.updated)) == (0, 0)
    assert (collection.note_count(), collection.card_count()) == (6, 8)


def test_both_languages_in_the_fields(deck_file, collection, tmp_path):
    package = tmp_path / "both.apkg"
    export(deck_file, package, lang="both")
    import_into(collection, package)
    notes = notes_by_guid(collection)
    assert notes[guid("relu-basic")]["Front"] == "ReLU 的定义？<br><br>What is ReLU?"
    assert notes[guid("relu-basic")]["Back"] == "max(0, x)"  # the same text in both languages is shown once
    first_cloze = min(notes[guid("bn-cloze")].cards(), key=lambda card: card.ord)
    assert first_cloze.question().count("[...]") == 2  # c1 is hidden in the Chinese and the English version
    assert "示例 / Sample" in [d.name for d in collection.decks.all_names_and_ids()]
    assert "1. 有偏方差 / the biased variance" in notes[guid("bn-choice")]["Front"]


def test_ids_are_fixed(deck_file, collection, tmp_path):
    package = tmp_path / "sample.apkg"
    export(deck_file, package)
    import_into(collection, package)
    types = {entry.name: entry.id for entry in collection.models.all_names_and_ids()}
    for name in (BASIC, CLOZE, TYPED):
        assert types[name] == stable_id("model", name)
    # Anki files decks by name on import, so the fixed deck id is checked in the package itself.
    with zipfile.ZipFile(package) as archive:
        (tmp_path / "inside.anki2").write_bytes(archive.read("collection.anki2"))
    with closing(sqlite3.connect(tmp_path / "inside.anki2")) as db:
        packaged_decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    assert {deck["name"]: deck["id"] for deck in packaged_decks.values()}["Sample"] == stable_id("deck", "sample")
    assert stable_id("deck", "sample") != stable_id("deck", "dl-notes") and 1 << 30 <= stable_id("x") < 1 << 31


def test_the_builtin_deck_exports_cleanly(collection, tmp_path):
    """Every real card (Markdown, code, formulas, both languages) goes through genanki and Anki without a complaint."""
    deck = load_deck(ROOT / "decks" / "dl-notes.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # genanki warns about HTML it considers broken
        result = anki_export.export_anki([deck], tmp_path / "dl.apkg", "both")
    assert (result.notes, result.cards) == (len(deck.cards), len(deck.items()))
    log = import_into(collection, tmp_path / "dl.apkg")
    assert (len(log.new), len(log.empty_first_field), len(log.conflicting)) == (len(deck.cards), 0, 0)
    assert (collection.note_count(), collection.card_count()) == (len(deck.cards), len(deck.items()))


def test_markdown_to_html():
    assert markdown_to_html("Use **ReLU**: `max(0, x)`") == "Use <b>ReLU</b>: <code>max(0, x)</code>"
    assert markdown_to_html("a < b & 2*p * 3\nnext") == "a &lt; b &amp; 2*p * 3<br>next"
    assert markdown_to_html("`a ** b` **bold**") == "<code>a ** b</code> <b>bold</b>"
    assert markdown_to_html("Code:\n```python\nif x < 0:\n    x = 0\n```\nDone") == (
        "Code:<pre><code>if x &lt; 0:\n    x = 0</code></pre>Done"
    )
    assert markdown_to_html("{{c1::**σ**::hint}}") == "{{c1::<b>σ</b>::hint}}"


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["-o", "out.zip"], 2, "does not end in .apkg"),
        (["nosuch", "-o", "out.apkg"], 2, "no deck named 'nosuch'"),
        (["-o", "out.apkg", "--lang", "fr"], 2, "unknown language"),
    ],
)
def test_usage_errors(args, code, words, tmp_path):
    result = runner.invoke(app, ["export", "anki", *[str(tmp_path / a) if a.startswith("out") else a for a in args]])
    assert result.exit_code == code, result.output
    assert words in result.output and "Traceback" not in result.output
    # nothing is written next to the output (the data folder may hold the deck cache)
    assert [p for p in tmp_path.iterdir() if p.name != "dlquiz-home"] == []


def test_a_broken_deck_named_on_the_command_line_stops_the_export(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: 1\nid: broken\ntitle: B\ncards:\n  - id: x\n    type: basic\n    front: only\n")
    result = runner.invoke(app, ["export", "anki", str(broken), "-o", str(tmp_path / "out.apkg")])
    assert result.exit_code == 1 and "a basic card needs 'back'" in result.output
    assert not (tmp_path / "out.apkg").exists()


def test_every_deck_by_default(collection, tmp_path, isolated_home, deck_file):
    (isolated_home / "decks").mkdir(parents=True)
    (isolated_home / "decks" / "sample.yaml").write_text(deck_file.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["export", "anki", "-o", str(tmp_path / "all.apkg"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    dl_notes = load_deck(ROOT / "decks" / "dl-notes.yaml")
    import_into(collection, tmp_path / "all.apkg")
    assert collection.note_count() == len(dl_notes.cards) + 5
    assert {"Sample", "Deep-learning notes"} <= {d.name for d in collection.decks.all_names_and_ids()}


def test_start_up_does_not_load_the_transfer_machinery():
    code = (
        "import sys\nfrom dlquiz.cli.app import app\n"
        "print('LOADED', [m for m in ('genanki', 'dlquiz.interop.anki_export', 'dlquiz.interop.deck_import') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert "LOADED []" in out.stdout, out.stdout + out.stderr


def test_register_is_idempotent():
    from dlquiz.cli import transfer as transfer_cli

    transfer_cli.register(app)
    assert [group.name for group in app.registered_groups].count("export") == 1
    assert [command.name for command in app.registered_commands].count("import") == 1
