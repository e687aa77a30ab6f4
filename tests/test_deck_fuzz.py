"""Fuzzing the deck gate: validation is the only one, so whatever `deck check` accepts must study and export.

Cards of the built-in deck and of tests/data are mutated at random (seeded: a failure names its seed): values replaced
by None, [], {}, NaN, ±infinity, huge numbers, deep nesting, long text or a value of the wrong type; fields deleted;
keys duplicated. Each mutated deck is either refused with problems, or every review item of it builds its challenge,
judges a few answers (nonsense included), survives the JSON cache and gives its Anki notes, without an exception.
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from dlquiz.cards import cache, params, types
from dlquiz.cards.challenge import CODE, REVEAL
from dlquiz.cards.deck import Problem, check_deck
from dlquiz.interop.anki_export import export_anki
from dlquiz.paths import builtin_decks_dir

DATA = Path(__file__).parent / "data"
SOURCES = [
    builtin_decks_dir() / "dl-notes.yaml",
    DATA / "all_types.yaml",
    DATA / "hostile_decks" / "numeric_answers.yaml",
]
MUTATIONS = 300
ANSWERS = ["", "1", "0", "1 2", "x", "-3.5e2", "floor(1e309)", "(-1)**0.5", "9**9**9", "\x1b[2J", "长"]


def _deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


REPLACEMENTS: list[Any] = [
    None,
    [],
    {},
    math.nan,
    math.inf,
    -math.inf,
    10**400,
    1e308,
    -1,
    0,
    1.5,
    True,
    "",
    " ",
    "x" * 100_001,
    _deep(80),
    {"zh": None},
    {"en": []},
    ["a", None],
    [{}],
    {"min": math.nan, "max": 5},
    {"choices": []},
    "{{c1::}}",
    "{{c1::a",
    "n/0",
    "sqrt(-1)",
    "{n}",
]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place inside ``value`` (a key of a mapping or an index of a list), depth first."""
    found: list[tuple] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in items:
        found.append((*prefix, key))
        found += _paths(child, (*prefix, key))
    return found


def _mutate(card: dict[str, Any], rng: random.Random) -> tuple[dict[str, Any], str | None]:
    """One to three mutations; returns the card and, for a duplicated key, the key to repeat in the YAML text."""
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        place = rng.choice(_paths(card))
        parent = card
        for step in place[:-1]:
            parent = parent[step]
        action = rng.random()
        if action < 0.15 and isinstance(parent, dict):
            del parent[place[-1]]
        elif action < 0.22 and len(place) == 1:
            return card, place[0]
        else:
            parent[place[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
    return card, None


def _deck_text(deck: dict[str, Any], card: dict[str, Any], duplicate: str | None, rng: random.Random) -> str:
    header = {key: deck[key] for key in ("id", "title") if key in deck}
    if rng.random() < 0.1:  # the deck's own title and description reach the study screen and the Anki deck too
        header[rng.choice(("title", "description"))] = copy.deepcopy(rng.choice(REPLACEMENTS))
    text = yaml.safe_dump({**header, "cards": [card]}, allow_unicode=True, sort_keys=False, width=10**9)
    if duplicate is not None:  # the same key twice in the card's mapping
        lines = text.splitlines()
        at = next(i for i, line in enumerate(lines) if line.lstrip("- ").startswith(f"{duplicate}:"))
        indent = len(lines[at]) - len(lines[at].lstrip("- "))
        lines.insert(at + 1, " " * indent + f"{duplicate}: again")
        text = "\n".join(lines) + "\n"
    return text


def mutated_decks(folder: Path) -> Iterator[tuple[Path, random.Random]]:
    """The seeded corpus: MUTATIONS deck files in ``folder``, each a real deck with one card mutated, with the
    random generator that made it (for what the caller does with the deck next)."""
    decks = [yaml.safe_load(source.read_text(encoding="utf-8")) for source in SOURCES]
    for seed in range(MUTATIONS):
        rng = random.Random(seed)
        deck = rng.choice(decks)
        card, duplicate = _mutate(copy.deepcopy(rng.choice(deck["cards"])), rng)
        path = folder / f"fuzz-{seed}.yaml"
        path.write_text(_deck_text(deck, card, duplicate, rng), encoding="utf-8")
        yield path, rng


def _exercise(deck_path: Path, rng: random.Random) -> None:
    deck, problems = check_deck(deck_path)
    if deck is None:
        assert problems and all(isinstance(p, Problem) and str(p).startswith(str(deck_path)) for p in problems)
        return
    cached, _ = cache.load_checked(deck_path)  # stored as JSON …
    again, _ = cache.load_checked(deck_path)  # … and read back
    assert cached is not None and again is not None
    assert [card.fields for card in again.cards] == [card.fields for card in deck.cards]
    for loaded in (deck, again):
        for item in loaded.items():
            for lang in ("zh", "en", "both"):
                challenge = types.make_challenge(item, lang, rng)
                assert isinstance(challenge.question, str) and isinstance(challenge.answer, str)
                if challenge.mode == CODE:  # judged by running the filled code (tests/test_code_cards.py)
                    assert all(isinstance(challenge.filled(answer), str) for answer in ANSWERS)
                elif challenge.mode != REVEAL:
                    for answer in ANSWERS:
                        assert isinstance(challenge.judge(answer).correct, bool)
        for card in loaded.cards:
            for lang in ("zh", "en", "both"):
                note = types.anki_note(card, lang)
                assert all(isinstance(field, str) for field in note.fields)
    if rng.random() < 0.15:  # a whole package now and then (genanki is slow): the deck's own fields go there too
        package = deck_path.with_suffix(".apkg")
        assert export_anki([again], package, rng.choice(("zh", "en", "both"))).notes == len(deck.cards)


@pytest.fixture
def quick_domain_check(monkeypatch):
    # The same check on fewer draws: the fuzz test is about what the gate lets through, not about its thoroughness.
    monkeypatch.setattr(params, "ENUMERATION_LIMIT", 500)
    monkeypatch.setattr(params, "SAMPLED_DRAWS", 100)


def test_whatever_deck_check_accepts_can_be_studied_and_exported(tmp_path, quick_domain_check):
    accepted = refused = 0
    for path, rng in mutated_decks(tmp_path):
        try:
            _exercise(path, rng)
        except Exception as error:  # name the seed, so the failure can be replayed
            raise AssertionError(f"{path.name}: {type(error).__name__}: {error}\n{path.read_text()[:2000]}") from error
        accepted += check_deck(path)[0] is not None
        refused += check_deck(path)[0] is None
    # Both outcomes occur, so the test exercises the gate from both sides.
    assert accepted > MUTATIONS // 20 and refused > MUTATIONS // 2, (accepted, refused)
