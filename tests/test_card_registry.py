"""The card-type registry: a new card type is one class and one registration, and an unknown type never passes for
another one. The true/false type below exists only in this file; registering it is all it takes for deck loading,
`dlquiz deck check`, `dlquiz deck schema`, `dlquiz study` and `dlquiz export anki` to handle it.
"""

from __future__ import annotations

import json
import random
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path
from typing import Any

import genanki
import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from dlquiz.cards import cache, types
from dlquiz.cards.anki_note import BASIC, BASIC_NOTE, AnkiNote, html_field
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import INPUT, REVEAL, Challenge
from dlquiz.cards.deck import check_deck, load_deck
from dlquiz.cards.fields import TEXT_SCHEMA, Report, check_flag
from dlquiz.cards.schema import deck_schema
from dlquiz.cards.types.base import CardType
from dlquiz.cards.types.basic import Basic
from dlquiz.cli.app import app
from dlquiz.errors import DlquizError
from dlquiz.text import normalize_answer
from recorded import recorded_answers

runner = CliRunner()
TRUE_WORDS, FALSE_WORDS = {"true", "t", "对", "是"}, {"false", "f", "错", "否"}


class TrueFalse(CardType):
    """A statement the learner judges true or false."""

    name = "truefalse"
    required = ("statement", "holds")
    text_fields = ("statement",)

    def check_fields(self, raw: Any, label: str, report: Report) -> None:
        check_flag(raw, "holds", label, report)

    def challenge(self, item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
        holds = item.card.fields["holds"]

        def check(response: str) -> bool:
            return normalize_answer(response) in (TRUE_WORDS if holds else FALSE_WORDS)

        question = item.card.text("statement").pick(lang)
        return Challenge(item, INPUT, question, "true" if holds else "false", self.extra(item.card, lang), check=check)

    def schema_fields(self) -> dict[str, Any]:
        return {"statement": TEXT_SCHEMA, "holds": {"type": "boolean"}}

    def anki_note(self, card: Card, lang: str) -> AnkiNote:
        front, extra = html_field(card.text("statement"), lang), html_field(card.text("extra"), lang)
        return AnkiNote(BASIC_NOTE, (front, "true" if card.fields["holds"] else "false", extra, ""))


@pytest.fixture
def true_false():
    registered = types.register(TrueFalse())
    yield registered
    if types.is_registered("truefalse"):
        types.unregister("truefalse")


DECK = """\
id: tf
title: {zh: 判断, en: True or false}
cards:
  - id: relu-linear
    type: truefalse
    tags: [activation]
    statement: {zh: "ReLU 是线性函数", en: "ReLU is a linear function"}
    holds: false
    extra: "It is **piecewise** linear."
  - id: relu-basic
    type: basic
    front: What is ReLU?
    back: "`max(0, x)`"
"""


@pytest.fixture
def deck_path(tmp_path) -> Path:
    path = tmp_path / "tf.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path


def test_an_extra_type_loads_and_yields_items(true_false, deck_path):
    deck = load_deck(deck_path)
    assert [card.type for card in deck.cards] == ["truefalse", "basic"]
    assert [item.key for item in deck.items()] == ["relu-linear", "relu-basic"]
    result = runner.invoke(app, ["deck", "check", str(deck_path)])
    assert result.exit_code == 0 and "ok: 1 deck(s) valid" in result.output, result.output


def test_an_extra_type_reports_its_problems_with_lines(true_false, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: tf\ntitle: T\ncards:\n"
        "  - id: a\n    type: truefalse\n    statement: ''\n"  # no holds, empty statement
        "  - id: b\n    type: truefalse\n    statement: s\n    holds: maybe\n"
        "  - id: c\n    type: truefalse\n    statement: s\n    hold: true\n",
        encoding="utf-8",
    )
    _deck, problems = check_deck(path)
    assert [(p.line, p.message) for p in problems] == [
        (4, "card 'a': a truefalse card needs 'holds'"),
        (6, "card 'a': statement is empty"),
        (10, "card 'b': holds must be true or false"),
        (14, "unknown field 'hold' in a truefalse card (did you mean 'holds'?)"),
        (11, "card 'c': a truefalse card needs 'holds'"),
    ]


def test_an_extra_type_is_judged(true_false, deck_path):
    item = load_deck(deck_path).items()[0]
    challenge = types.make_challenge(item, "zh", random.Random(0))
    assert (challenge.mode, challenge.question, challenge.answer) == (INPUT, "ReLU 是线性函数", "false")
    assert challenge.extra == "It is **piecewise** linear."
    assert [challenge.judge(answer).correct for answer in ("false", " FALSE ", "错", "true", "", "no idea")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_an_extra_type_is_studied_on_the_study_screen(true_false, deck_path, isolated_home):
    result = runner.invoke(app, ["study", str(deck_path), "--lang", "en"], input="false\n\n\n3\nq\n")
    assert result.exit_code == 0, result.output
    assert "ReLU is a linear function" in result.output and "✓ Correct" in result.output
    assert recorded_answers(isolated_home) == [("relu-linear", 3), ("relu-basic", 3)]


def test_an_extra_type_appears_in_the_schema(true_false, deck_path):
    result = runner.invoke(app, ["deck", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    kinds = [card["properties"]["type"]["const"] for card in schema["properties"]["cards"]["items"]["oneOf"]]
    assert kinds == ["basic", "cloze", "choice", "typed", "numeric", "code", "truefalse"]
    data = yaml.safe_load(deck_path.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    data["cards"][0]["holds"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_an_extra_type_exports_to_anki(true_false, deck_path, tmp_path):
    target = tmp_path / "tf.apkg"
    result = runner.invoke(app, ["export", "anki", str(deck_path), "-o", str(target), "--lang", "both"])
    assert result.exit_code == 0, result.output
    assert "2 notes (2 cards) from 1 deck(s)" in result.output
    with zipfile.ZipFile(target) as archive:
        (tmp_path / "inside.anki2").write_bytes(archive.read("collection.anki2"))
    with closing(sqlite3.connect(tmp_path / "inside.anki2")) as db:
        notes = dict(db.execute("SELECT guid, flds FROM notes").fetchall())
        models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    fields = notes[genanki.guid_for("tf", "relu-linear")].split("\x1f")
    assert fields == ["ReLU 是线性函数<br><br>ReLU is a linear function", "false", "It is <b>piecewise</b> linear.", ""]
    assert [model["name"] for model in models.values()] == [BASIC]  # both cards share the basic note type


def test_once_unregistered_the_type_is_a_deck_problem_and_never_another_type(true_false, deck_path):
    card = load_deck(deck_path).cards[0]
    cached, _problems = cache.load_checked(deck_path)
    assert cached is not None and cached.cards[0].type == "truefalse"
    types.unregister("truefalse")

    _deck, problems = check_deck(deck_path)
    assert [(p.line, p.message) for p in problems] == [
        (5, "card 'relu-linear': unknown card type 'truefalse' (known: basic, cloze, choice, typed, numeric, code)")
    ]
    _deck, problems = cache.load_checked(deck_path)  # the cached deck is not trusted once its type is gone
    assert problems and "unknown card type 'truefalse'" in problems[0].message
    for lookup in (
        lambda: types.make_challenge(ReviewItem(card), "en", random.Random(0)),
        lambda: types.anki_note(card, "en"),
        lambda: types.review_items(card),
    ):
        with pytest.raises(types.UnknownCardType, match=r"unknown card type 'truefalse' \(known: basic, cloze"):
            lookup()


def test_a_card_of_an_unknown_type_raises_a_clear_error():
    card = Card(deck_id="d", id="c", type="flash", line=3, fields={"front": "x", "back": "y"})
    with pytest.raises(types.UnknownCardType) as caught:
        types.make_challenge(ReviewItem(card), "en", random.Random(0))
    assert isinstance(caught.value, DlquizError)  # shown as one message, not a traceback
    assert caught.value.message == "unknown card type 'flash' (known: basic, cloze, choice, typed, numeric, code)"
    assert "dlquiz deck check" in str(caught.value)  # and what to do next
    with pytest.raises(types.UnknownCardType):
        types.card_type(["basic"])  # whatever a YAML `type:` holds


def test_a_name_is_registered_once():
    with pytest.raises(ValueError, match="'basic' is already registered"):
        types.register(Basic())
    with pytest.raises(types.UnknownCardType):
        types.unregister("never-registered")
    assert types.names() == ("basic", "cloze", "choice", "typed", "numeric", "code")


@pytest.mark.parametrize("card_type", types.registered(), ids=lambda card_type: card_type.name)
def test_each_type_schema_and_loader_name_the_same_fields(card_type):
    assert set(card_type.schema_fields()) == card_type.fields
    assert set(card_type.required) <= card_type.fields and set(card_type.text_fields) <= card_type.fields
    schema = next(
        card
        for card in deck_schema()["properties"]["cards"]["items"]["oneOf"]
        if card["properties"]["type"] == {"const": card_type.name}
    )
    assert schema["required"] == ["id", "type", *card_type.required]


@pytest.mark.parametrize(
    "card, message",
    [
        ("{id: a, type: [basic], front: x, back: y}", "card 'a': unknown card type ['basic'] (known: basic,"),
        ("{id: a, type: {basic: 1}, front: x, back: y}", "card 'a': unknown card type {'basic': 1} (known: basic,"),
        ("{id: a, type: cloze, text: 5}", "card 'a': text has no cloze deletion; write e.g. {{c1::answer}}"),
    ],
)
def test_odd_yaml_is_a_deck_problem_not_a_crash(tmp_path, card, message):
    path = tmp_path / "odd.yaml"
    path.write_text(f"id: d\ntitle: T\ncards:\n  - {card}\n", encoding="utf-8")
    _deck, problems = check_deck(path)
    assert len(problems) == 1 and problems[0].line == 4 and problems[0].message.startswith(message), problems


def test_a_challenge_that_takes_an_answer_needs_a_check(tmp_path):
    item = ReviewItem(Card(deck_id="d", id="c", type="basic", line=1, fields={}))
    with pytest.raises(ValueError, match="needs a check"):
        Challenge(item, INPUT, "q", "a")
    with pytest.raises(ValueError, match="unknown challenge mode"):
        Challenge(item, "guess", "q", "a")
    with pytest.raises(ValueError, match="not judged"):
        Challenge(item, REVEAL, "q", "a").judge("a")
