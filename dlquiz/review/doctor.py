"""`dlquiz doctor`: checks the progress database, the decks and the exercises, and says what to do about each finding.

No terminal code here. Nothing is changed except by ``prune``, which deletes orphaned *card states* only: the review
log is the learner's history (stats and progress export read it), so it is never deleted.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dlquiz import paths
from dlquiz.cards import library
from dlquiz.cards.deck import Deck, Problem
from dlquiz.errors import DlquizError
from dlquiz.review.records import Key
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import Store, open_store


@dataclass
class Orphans:
    """Progress rows whose (deck id, card key) belongs to no review item of any loaded deck."""

    states: Counter[str] = field(default_factory=Counter)  # deck id -> card_state rows
    reviews: Counter[str] = field(default_factory=Counter)  # deck id -> review_log rows
    prunable: list[Key] = field(default_factory=list)  # card_state keys safe to delete
    held_back: set[str] = field(default_factory=set)  # decks not loaded while some deck file is broken


@dataclass
class Checkup:
    database: Path
    database_exists: bool = True
    database_error: DlquizError | None = None  # the store's own message when the file cannot be opened
    schema_version: int = 0
    integrity: list[str] = field(default_factory=list)  # PRAGMA integrity_check lines other than "ok"
    foreign_keys: list[str] = field(default_factory=list)
    unreadable_rows: list[str] = field(default_factory=list)  # rows stored but out of range (written outside dlquiz)
    review_rows: int = 0
    state_rows: int = 0
    orphans: Orphans = field(default_factory=Orphans)
    decks: list[Deck] = field(default_factory=list)
    deck_problems: list[Problem] = field(default_factory=list)
    broken_decks: list[Path] = field(default_factory=list)
    exercises: int = 0
    broken_exercises: list[tuple[str, DlquizError]] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        # Orphaned review-log rows alone are history of removed cards: worth a note, not a failure.
        return not (
            self.database_error
            or self.integrity
            or self.unreadable_rows
            or self.foreign_keys
            or self.orphans.states
            or self.deck_problems
            or self.broken_exercises
        )


def examine(extra_decks: list[str] | None = None, exercises_root: Path | None = None) -> Checkup:
    """Run every check. ``extra_decks`` are deck files studied by path, outside the decks folders."""
    checkup = Checkup(database=paths.database_path())
    _check_decks(checkup, extra_decks or [])
    _check_exercises(checkup, exercises_root)
    home = checkup.database.parent
    if home.exists() and not home.is_dir():  # database.exists() would only say False: nothing studied yet
        checkup.database_error = DlquizError(
            f"the data folder {home} is a file, not a folder: no progress can be saved",
            "Move that file aside, or set DLQUIZ_HOME to a folder.",
        )
        return checkup
    if not checkup.database.exists():
        checkup.database_exists = False  # nothing studied yet: nothing to check, and no file to create
        return checkup
    try:
        store = open_store(checkup.database)
    except DlquizError as error:
        checkup.database_error = error
        return checkup
    try:
        _check_database(store, checkup)
    finally:
        store.close()
    return checkup


def _check_decks(checkup: Checkup, extra: list[str]) -> None:
    loaded = library.load()
    decks, problems, broken = list(loaded.decks), list(loaded.problems), list(loaded.broken)
    if extra:
        more = library.load(extra)
        known = {deck.id for deck in decks}
        decks += [deck for deck in more.decks if deck.id not in known]
        problems += more.problems
        broken += more.broken
    checkup.decks, checkup.deck_problems, checkup.broken_decks = decks, problems, broken


def _check_exercises(checkup: Checkup, root: Path | None) -> None:
    # The catalog reads exercise.yaml files only; it never imports numpy or torch.
    from dlquiz.grading import catalog

    root = root or paths.exercises_dir()
    try:
        names = catalog.exercise_names(root)
    except DlquizError as error:
        checkup.broken_exercises.append((str(root), error))
        return
    for name in names:
        try:
            catalog.load_exercise(name, root)
        except DlquizError as error:
            checkup.broken_exercises.append((name, error))
        else:
            checkup.exercises += 1


def _check_database(store: Store, checkup: Checkup) -> None:
    checkup.schema_version = store.schema_version()
    repository = ProgressRepository(store)
    try:
        checkup.integrity = store.integrity_problems()
        checkup.foreign_keys = store.foreign_key_problems()
        checkup.review_rows = repository.review_count()
        checkup.state_rows = repository.card_state_count()
        checkup.unreadable_rows = repository.unreadable_rows()
        _find_orphans(repository, checkup)
    except sqlite3.DatabaseError as error:  # pages damaged beyond what integrity_check could list
        checkup.integrity.append(str(error))


def _find_orphans(repository: ProgressRepository, checkup: Checkup) -> None:
    known = {(deck.id, item.key) for deck in checkup.decks for item in deck.items()}
    loaded_ids = {deck.id for deck in checkup.decks}
    orphans = checkup.orphans
    for key in repository.card_keys():
        if key in known:
            continue
        deck_id = key[0]
        orphans.states[deck_id] += 1
        # A deck that is not loaded may be one of the broken files: its progress is not orphaned, only unreadable.
        if checkup.broken_decks and deck_id not in loaded_ids:
            orphans.held_back.add(deck_id)
        else:
            orphans.prunable.append(key)
    for key, count in repository.review_counts_by_card().items():
        if key not in known:
            orphans.reviews[key[0]] += count


def prune(checkup: Checkup) -> int:
    """Delete the orphaned card_state rows found by ``examine`` (never review_log rows); returns how many went."""
    if not checkup.orphans.prunable:
        return 0
    store = open_store(checkup.database)
    try:
        repository = ProgressRepository(store)
        with store.transaction():  # all or nothing
            deleted = sum(repository.delete_card_state(*key) for key in checkup.orphans.prunable)
    finally:
        store.close()
    checkup.orphans.states.subtract(Counter(deck_id for deck_id, _card in checkup.orphans.prunable))
    checkup.orphans.states = +checkup.orphans.states  # drop the decks now at zero
    checkup.orphans.prunable = []
    return deleted
