"""A cache of validated decks, so large decks are not parsed again on every command.

PyYAML spends most of a big deck's load time building Python objects (about 0.6 s for 5,000 cards); reading the
validated deck back from JSON takes a fraction of that. The cache is plain data (JSON), never code: an entry someone
else wrote can at worst be refused. An entry is used only while the file's bytes hash to the same SHA-256 and dlquiz's
version, the deck format, the registered card types and what the exercise catalog says of the exercises its cards name
(a code card is valid only while its exercise has its functions) are what they were; a missing, damaged or stale
entry is rebuilt silently. Only decks without problems are cached, so every problem is still reported on every load.
"""

from __future__ import annotations

import gc
import hashlib
import json
from pathlib import Path
from typing import Any

from dlquiz import __version__, fsutil, paths
from dlquiz.cards import types
from dlquiz.cards.card import Card
from dlquiz.cards.deck import FORMAT_VERSION, Deck, Problem, check_deck
from dlquiz.cards.exercise_lookup import exercises
from dlquiz.cards.yamlload import MAX_FILE_BYTES

# Bump when Deck, Card or what validation accepts changes shape, so old entries are ignored.
CACHE_FORMAT = 4


def cache_dir() -> Path:
    return paths.data_dir() / "cache" / "decks"


def content_key(content: bytes) -> str:
    """What an entry is valid for: the file's bytes, and everything in dlquiz that decides what they mean."""
    digest = hashlib.sha256(content)
    # The registered card types are part of it: a deck validated with a type that is gone must be checked again.
    for part in (__version__, str(FORMAT_VERSION), str(CACHE_FORMAT), *types.names()):
        digest.update(b"\0" + part.encode("utf-8"))
    return digest.hexdigest()


def _entry(path: Path) -> Path:
    return cache_dir() / (hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:32] + ".json")


def load_checked(path: Path) -> tuple[Deck | None, list[Problem]]:
    """Like ``check_deck``, answered from the cache when the file's content has not changed."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return check_deck(path)  # refused with the limit in the message; never hashed or cached
        content = path.read_bytes()
    except OSError:
        return check_deck(path)  # reports it as it should (missing, unreadable)
    key, entry = content_key(content), _entry(path)
    cached = _read(entry, key, path)
    if cached is not None:
        return cached, []
    deck, problems = check_deck(path, content=content)
    if deck is not None:
        _store(entry, key, deck)
    return deck, problems


def _read(entry: Path, key: str, path: Path) -> Deck | None:
    """The deck stored under ``key``, or None when the entry is missing, stale or not what dlquiz writes."""
    collecting = gc.isenabled()
    gc.disable()  # as in yamlload: tens of thousands of new containers, none of them garbage
    try:
        with open(entry, encoding="utf-8") as stream:
            stored = json.load(stream)
        if not isinstance(stored, dict) or stored.get("key") != key:
            return None
        deck = _deck_from(stored["deck"], path)
        if stored.get("exercises") != _catalog_view(deck):
            return None  # validated against another version of the exercises (or without them)
        return deck
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    finally:
        if collecting:
            gc.enable()


def _deck_from(data: dict[str, Any], path: Path) -> Deck:
    """Rebuild a deck, checking the shape of every card; raise ValueError/KeyError/TypeError on anything else."""
    deck = Deck(id=_text(data["id"]), title=data["title"], path=path, description=data.get("description"))
    for raw in data["cards"]:
        if not isinstance(raw["fields"], dict) or not types.is_registered(raw["type"]):
            raise ValueError("not a card")
        tags, exercise = raw["tags"], raw["exercise"]
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise ValueError("not tags")
        deck.cards.append(
            Card(
                deck_id=deck.id,
                id=_text(raw["id"]),
                type=raw["type"],
                line=int(raw["line"]),
                fields=raw["fields"],
                tags=tuple(tags),
                exercise=None if exercise is None else _text(exercise),
            )
        )
    return deck


def _catalog_view(deck: Deck) -> dict[str, Any] | None:
    """What validating ``deck`` may have asked the exercise catalog: each exercise a card names, with its functions
    and whether its cases call them together. None without a catalog (a library caller), which checks nothing."""
    lookup = exercises()
    if lookup is None:
        return None
    named = sorted({card.exercise for card in deck.cards if card.exercise is not None})
    view: dict[str, Any] = {}
    for name in named:
        functions = lookup.functions(name)
        view[name] = None if functions is None else [list(functions), lookup.called_together(name)]
    return view


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def _deck_data(deck: Deck) -> dict[str, Any]:
    cards = [
        {
            "id": card.id,
            "type": card.type,
            "line": card.line,
            "fields": card.fields,
            "tags": list(card.tags),
            "exercise": card.exercise,
        }
        for card in deck.cards
    ]
    return {"id": deck.id, "title": deck.title, "description": deck.description, "cards": cards}


def _store(entry: Path, key: str, deck: Deck) -> None:
    # The cache only saves time: failing to write it (read-only home, full disk, a value JSON cannot hold) is never an
    # error, and the deck is simply parsed again next time.
    try:
        stored = {"key": key, "deck": _deck_data(deck), "exercises": _catalog_view(deck)}
        text = json.dumps(stored, ensure_ascii=False, allow_nan=False)
        entry.parent.mkdir(parents=True, exist_ok=True)
        fsutil.write_text_atomic(entry, text)
    except (OSError, ValueError, TypeError, RecursionError):
        pass
