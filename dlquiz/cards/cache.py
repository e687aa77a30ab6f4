"""A cache of validated decks, so large decks are not parsed again on every command.

PyYAML spends most of a big deck's load time building Python objects (about 0.6 s for 5,000
cards); unpickling the validated deck takes a fraction of that. An entry is used only while
the file's path, size and modification time are what they were, and only decks without
problems are cached, so every problem is still reported on every load.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from dlquiz import __version__, fsutil, paths
from dlquiz.cards import types
from dlquiz.cards.deck import FORMAT_VERSION, Deck, Problem, check_deck

# Bump when Deck, Card or what validation accepts changes shape, so old entries are ignored.
CACHE_FORMAT = 2


def cache_dir() -> Path:
    return paths.data_dir() / "cache" / "decks"


def _identity(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    # The registered card types are part of it: a deck validated with a type that is gone must be checked again.
    versions = (__version__, FORMAT_VERSION, CACHE_FORMAT, types.names())
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, *versions)


def _entry(identity: tuple) -> Path:
    return cache_dir() / (hashlib.sha256(identity[0].encode("utf-8")).hexdigest()[:32] + ".pickle")


def load_checked(path: Path) -> tuple[Deck | None, list[Problem]]:
    """Like ``check_deck``, answered from the cache when the file has not changed."""
    identity = _identity(path)
    if identity is None:
        return check_deck(path)
    entry = _entry(identity)
    try:
        with open(entry, "rb") as stream:
            stored_identity, deck = pickle.load(stream)
        if stored_identity == identity and isinstance(deck, Deck):
            deck.path = path
            return deck, []
    except Exception:  # missing, stale, truncated or from another version: parse the file instead
        pass
    deck, problems = check_deck(path)
    if deck is not None:
        _store(entry, identity, deck)
    return deck, problems


def _store(entry: Path, identity: tuple, deck: Deck) -> None:
    # The cache only saves time: failing to write it (read-only home, full disk) is never an error.
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with fsutil.atomic_write(entry, "wb") as stream:
            pickle.dump((identity, deck), stream, protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, pickle.PicklingError):
        pass
