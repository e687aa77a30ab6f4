"""The validated-deck cache: used only while the file is unchanged, never at the cost of a problem report."""

import os

import pytest

from dlquiz.cards import cache as deck_cache
from dlquiz.cards.deck import load_deck


@pytest.fixture
def deck_file(tmp_path, all_types_deck):
    path = tmp_path / "sample.yaml"
    path.write_text(all_types_deck.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_second_load_comes_from_the_cache(deck_file, monkeypatch):
    first, problems = deck_cache.load_checked(deck_file)
    assert problems == [] and len(list(deck_cache.cache_dir().iterdir())) == 1

    def must_not_parse(path, portable=False):
        raise AssertionError("the unchanged deck was parsed again")

    monkeypatch.setattr(deck_cache, "check_deck", must_not_parse)
    again, problems = deck_cache.load_checked(deck_file)
    assert problems == []
    assert [item.key for item in again.items()] == [item.key for item in first.items()]
    assert again.cards[0].fields == load_deck(deck_file).cards[0].fields
    assert again.path == deck_file


def test_an_edited_deck_is_parsed_again(deck_file):
    deck_cache.load_checked(deck_file)
    text = deck_file.read_text(encoding="utf-8").replace("What is ReLU?", "What does ReLU compute?")
    deck_file.write_text(text, encoding="utf-8")
    stat = deck_file.stat()
    os.utime(deck_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    deck, _ = deck_cache.load_checked(deck_file)
    assert deck.cards[0].fields["front"]["en"] == "What does ReLU compute?"


def test_a_broken_deck_is_never_cached_and_always_reported(deck_file):
    deck_file.write_text("id: d\ntitle: T\ncards:\n  - {id: a, type: nope}\n", encoding="utf-8")
    for _ in range(2):
        deck, problems = deck_cache.load_checked(deck_file)
        assert deck is None and "unknown card type 'nope'" in problems[0].message
    assert not deck_cache.cache_dir().exists() or not list(deck_cache.cache_dir().iterdir())


def test_a_damaged_cache_entry_is_ignored_and_replaced(deck_file):
    deck_cache.load_checked(deck_file)
    (entry,) = deck_cache.cache_dir().iterdir()
    entry.write_bytes(b"\x80\x04 not a pickle at all")
    deck, problems = deck_cache.load_checked(deck_file)
    assert problems == [] and len(deck.cards) == 5
    deck_cache.load_checked(deck_file)  # rewritten: loads cleanly from the cache again
    assert entry.read_bytes() != b"\x80\x04 not a pickle at all"


def test_an_unwritable_cache_folder_is_not_an_error(deck_file, isolated_home):
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "cache").write_text("a file where the cache folder would go", encoding="utf-8")
    deck, problems = deck_cache.load_checked(deck_file)
    assert problems == [] and len(deck.cards) == 5


def test_an_edit_that_keeps_size_and_mtime_is_seen(deck_file):
    deck_cache.load_checked(deck_file)
    stat = deck_file.stat()
    text = deck_file.read_text(encoding="utf-8")
    deck_file.write_text(text.replace("What is ReLU?", "What is ReLu?"), encoding="utf-8")  # same size
    os.utime(deck_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert deck_file.stat().st_size == stat.st_size
    deck, _ = deck_cache.load_checked(deck_file)
    assert deck.cards[0].fields["front"]["en"] == "What is ReLu?"


def test_the_cache_is_data_a_pickle_planted_there_never_runs(deck_file, tmp_path):
    import json
    import pickle

    deck_cache.load_checked(deck_file)
    (entry,) = deck_cache.cache_dir().iterdir()
    assert entry.suffix == ".json" and json.loads(entry.read_text(encoding="utf-8"))["deck"]["id"] == "sample"
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (marker.touch, ())

    entry.write_bytes(pickle.dumps(Payload()))
    deck, problems = deck_cache.load_checked(deck_file)
    assert problems == [] and len(deck.cards) == 5 and not marker.exists()


class Exercises:
    """An exercise catalog as code-card validation sees it (cards.exercise_lookup.ExerciseLookup)."""

    def __init__(self, functions: dict[str, tuple[str, ...]]) -> None:
        self._functions = functions

    def names(self) -> list[str]:
        return sorted(self._functions)

    def functions(self, exercise_id: str) -> tuple[str, ...] | None:
        return self._functions.get(exercise_id)

    def called_together(self, exercise_id: str) -> bool:
        return False


CODE_DECK = """id: code-deck
title: Code
cards:
  - id: relu-code
    type: code
    exercise: relu
    question: "Complete ReLU"
    code: |
      def relu(x):
          return ___
    answer: "np.maximum(x, 0)"
"""


def test_a_code_card_cached_as_valid_is_checked_again_when_its_exercise_changes(tmp_path, monkeypatch):
    from dlquiz.cards import exercise_lookup

    path = tmp_path / "code.yaml"
    path.write_text(CODE_DECK, encoding="utf-8")
    monkeypatch.setattr(exercise_lookup, "_exercises", Exercises({"relu": ("relu",)}))
    deck, problems = deck_cache.load_checked(path)
    assert deck is not None and problems == []
    # The exercise now has other functions (renamed in its exercise.yaml): the cached verdict no longer holds.
    monkeypatch.setattr(exercise_lookup, "_exercises", Exercises({"relu": ("rectify",)}))
    deck, problems = deck_cache.load_checked(path)
    assert deck is None and "none of the functions of exercise relu (rectify)" in problems[0].message
    # ... and an exercise that is gone.
    monkeypatch.setattr(exercise_lookup, "_exercises", Exercises({"gap": ("global_avg_pool",)}))
    deck, problems = deck_cache.load_checked(path)
    assert deck is None and "no exercise named 'relu'" in problems[0].message
    # Back as it was: valid, cached again, and then read from the cache.
    monkeypatch.setattr(exercise_lookup, "_exercises", Exercises({"relu": ("relu",)}))
    deck, problems = deck_cache.load_checked(path)
    assert deck is not None and problems == []
    monkeypatch.setattr(deck_cache, "check_deck", lambda *args, **kwargs: pytest.fail("parsed again"))
    deck, problems = deck_cache.load_checked(path)
    assert deck is not None and problems == []
