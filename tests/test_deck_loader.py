"""The deck loader: every card type loads, and every kind of bad input gets a file:line message."""

from pathlib import Path

import pytest

from dlquiz.cli.app import app
from dlquiz.cards.deck import DeckError, check_deck, load_deck
from typer.testing import CliRunner

runner = CliRunner()


def write(tmp_path: Path, text: str, name: str = "deck.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_all_card_types_load_into_review_items(all_types_deck):
    deck = load_deck(all_types_deck)
    assert [card.type for card in deck.cards] == ["basic", "cloze", "choice", "typed", "numeric"]
    keys = [item.key for item in deck.items()]
    assert keys == [
        "relu-basic",
        "relu-basic::reverse",
        "bn-cloze::c1",
        "bn-cloze::c2",
        "bn-choice",
        "gap-params",
        "conv-size",
    ]
    assert deck.cards[0].tags == ("activation",)


def problems_of(tmp_path, text):
    _deck, problems = check_deck(write(tmp_path, text))
    return [(p.line, p.message) for p in problems]


HEADER = "id: d\ntitle: T\ncards:\n"


def test_malformed_yaml_reports_the_line(tmp_path):
    found = problems_of(tmp_path, HEADER + "  - id: a\n    type: basic\n    front: [unclosed\n    back: b\n")
    assert len(found) == 1
    line, message = found[0]
    assert line in (6, 7) and "YAML syntax" in message


def test_unknown_card_type(tmp_path):
    found = problems_of(tmp_path, HEADER + "  - id: a\n    type: flash\n    front: x\n")
    assert found == [(5, "card 'a': unknown card type 'flash' (known: basic, cloze, choice, typed, numeric, code)")]


def test_duplicate_card_id_points_at_both(tmp_path):
    text = HEADER + "  - {id: a, type: basic, front: x, back: y}\n  - {id: a, type: basic, front: z, back: w}\n"
    assert problems_of(tmp_path, text) == [(5, "duplicate card id 'a' (first on line 4); ids must be unique in a deck")]


def test_duplicate_yaml_key_is_an_error(tmp_path):
    found = problems_of(tmp_path, HEADER + "  - id: a\n    type: basic\n    front: x\n    front: y\n    back: z\n")
    assert found == [(7, "duplicate key 'front' (first on line 6)")]


def test_unsafe_expression_is_refused_at_load(tmp_path):
    text = HEADER + (
        "  - id: n\n    type: numeric\n    question: q {a}\n    params: {a: {min: 1, max: 3}}\n"
        "    answer: \"__import__('os').system('touch /tmp/pwned')\"\n"
    )
    found = problems_of(tmp_path, text)
    assert len(found) == 1 and found[0][0] == 8
    assert "__import__" in found[0][1] and "is not allowed" in found[0][1]


def test_every_problem_is_reported_at_once(tmp_path):
    text = (
        "id: Bad Id\ntitle: T\nextra_field: 1\ncards:\n"
        "  - id: a\n    type: basic\n    front: x\n"  # no back
        "  - id: b\n    type: cloze\n    text: no deletion here\n"
        "  - id: c\n    type: choice\n    question: q\n    options: [{text: one}, {text: two}]\n"
        "  - id: d\n    type: numeric\n    question: 'size {n}'\n    params: {n: {min: 5, max: 1}}\n    answer: n + m\n"
        "  - id: e\n    type: typed\n    question: q\n    answr: x\n"
        "  - id: f\n    type: cloze\n    text: {zh: '{{c1::一}} {{c2::二}}', en: '{{c1::one}}'}\n"
    )
    found = problems_of(tmp_path, text)
    messages = "\n".join(f"{line}: {message}" for line, message in found)
    assert "1: the deck id must be lower-case" in messages
    assert "3: unknown field 'extra_field' in the deck" in messages
    assert "5: card 'a': a basic card needs 'back'" in messages
    assert "10: card 'b': text has no cloze deletion" in messages
    assert "14: card 'c': no option is marked 'correct: true'" in messages
    assert "18: card 'd': parameter 'n': min is larger than max" in messages
    assert "19: card 'd': answer uses m, which is not in params" in messages
    assert "23: unknown field 'answr' in a typed card (did you mean 'answer'?)" in messages
    assert "20: card 'e': a typed card needs 'answer'" in messages
    assert "card 'f': every language must use the same cloze numbers" in messages


def test_constraints_that_can_never_hold(tmp_path):
    text = HEADER + (
        "  - id: n\n    type: numeric\n    question: q\n    params: {a: {min: 1, max: 3}}\n"
        "    where: ['a > 10']\n    answer: a\n"
    )
    assert "no values of the params meet the where conditions" in problems_of(tmp_path, text)[0][1]


def test_not_utf8_and_not_a_mapping(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("id: d\ntitle: caf\xe9\n".encode("latin-1"))
    _deck, problems = check_deck(path)
    assert "not UTF-8" in problems[0].message
    assert problems_of(tmp_path, "- just\n- a list\n") == [(1, "a deck must be a mapping with id, title and cards")]


def test_load_deck_raises_with_every_problem(tmp_path):
    path = write(tmp_path, HEADER + "  - {id: a, type: basic}\n  - {id: b, type: nope}\n")
    with pytest.raises(DeckError) as caught:
        load_deck(path)
    assert len(caught.value.problems) == 3  # a lacks front and back; b has no known type
    assert f"{path}:4: card 'a': a basic card needs 'front'" in str(caught.value)


def test_deck_check_cli_exit_codes(tmp_path, all_types_deck):
    good = runner.invoke(app, ["deck", "check", str(all_types_deck)])
    assert good.exit_code == 0, good.output
    assert "ok: 1 deck(s) valid" in good.output
    bad = write(tmp_path, HEADER + "  - {id: a, type: basic, front: x}\n  - {id: a, type: basic, front: x, back: y}\n")
    result = runner.invoke(app, ["deck", "check", str(all_types_deck), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:4: card 'a': a basic card needs 'back'" in result.output
    assert f"{bad}:5: duplicate card id 'a'" in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["deck", "check", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "no such deck file" in missing.output


def test_deck_check_flags_yaml_that_only_libyaml_reads(tmp_path):
    from dlquiz.cards.yamlload import HAS_LIBYAML

    text = HEADER + "  - {id: a, type: basic, front: What is ReLU?, back: max}\n"
    path = write(tmp_path, text)
    if HAS_LIBYAML:
        assert check_deck(path)[0] is not None  # studying still works where libyaml is installed
    result = runner.invoke(app, ["deck", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:4: YAML syntax" in result.output
    assert "quote the text" in result.output or not HAS_LIBYAML


def test_deck_schema_is_json(tmp_path):
    import json

    result = runner.invoke(app, ["deck", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["required"] == ["id", "title", "cards"]
