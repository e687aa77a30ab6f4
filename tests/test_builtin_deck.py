"""The built-in deck through dlquiz's own loader and the published JSON Schema."""

import json
import random
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from dlquiz import paths
from dlquiz.cards.deck import load_deck
from dlquiz.cards.schema import deck_schema
from dlquiz.cards.types import make_challenge

REPO = Path(__file__).resolve().parents[1]


def plain(data):
    """LineDict/LineList → plain JSON types, as jsonschema expects."""
    return json.loads(json.dumps(data))


def builtin_decks():
    return sorted(paths.builtin_decks_dir().glob("*.yaml"))


def test_there_is_a_builtin_deck():
    assert [p.name for p in builtin_decks()] == ["dl-notes.yaml"]


@pytest.mark.parametrize("path", builtin_decks(), ids=lambda p: p.name)
def test_builtin_deck_loads_and_matches_the_schema(path):
    deck = load_deck(path)
    assert len(deck.cards) >= 50
    jsonschema.validate(plain(yaml.safe_load(path.read_text(encoding="utf-8"))), deck_schema())


@pytest.mark.parametrize("path", builtin_decks(), ids=lambda p: p.name)
def test_every_builtin_item_renders_in_every_language(path):
    rng = random.Random(7)
    for item in load_deck(path).items():
        for lang in ("zh", "en", "both"):
            challenge = make_challenge(item, lang, rng)
            assert challenge.question.strip() and challenge.answer.strip(), item.key


def readme_deck_examples():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)


def test_readme_examples_are_valid_decks(tmp_path):
    examples = readme_deck_examples()
    assert examples, "the README shows the deck format"
    for index, example in enumerate(examples):
        path = tmp_path / f"example{index}.yaml"
        path.write_text(example, encoding="utf-8")
        deck = load_deck(path)
        jsonschema.validate(plain(yaml.safe_load(example)), deck_schema())
        assert {card.type for card in deck.cards} == {"basic", "cloze", "choice", "typed", "numeric"}


def test_schema_rejects_what_the_loader_rejects(tmp_path):
    bad = {"id": "d", "title": "T", "cards": [{"id": "a", "type": "flash", "front": "x", "back": "y"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, deck_schema())
    missing = {"id": "d", "title": "T", "cards": [{"id": "a", "type": "basic", "front": "x"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(missing, deck_schema())
