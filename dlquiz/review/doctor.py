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
from dlquiz.review.store import Store, open_store


@dataclass
class Orphans:
    """Progress rows whose (deck id, card key) belongs to no review item of any loaded deck."""

    states: Counter = field(default_factory=Counter)  # deck id -> card_state rows
    reviews: Counter = field(default_factory=Counter)  # deck id -> review_log rows
    prunable: list[tuple[str, str]] = field(default_factory=list)  # card_state keys safe to delete
    held_back: set[str] = field(default_factory=set)  # decks not loaded while some deck file is broken


@dataclass
class Checkup:
    database: Path
    database_exists: bool = True
    database_error: DlquizError | None = None  # the store's own message when the file cannot be opened
    schema_version: int = 0
    integrity: list[str] = field(default_factory=list)  # PRAGMA integrity_check lines other than "ok"
    foreign_keys: list[str] = field(default_factory=list)
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
    try:
        lines = [row[0] for row in store.db.execute("PRAGMA integrity_check")]
        checkup.integrity = [line for line in lines if line != "ok"]
        checkup.foreign_keys = [" ".join(str(v) for v in tuple(row)) for row in store.db.execute("PRAGMA foreign_key_check")]
        checkup.review_rows = store.db.execute("SELECT COUNT(*) FROM review_log").fetchone()[0]
        checkup.state_rows = store.db.execute("SELECT COUNT(*) FROM card_state").fetchone()[0]
        _find_orphans(store, checkup)
    except sqlite3.DatabaseError as error:  # pages damaged beyond what integrity_check could list
        checkup.integrity.append(str(error))


def _find_orphans(store: Store, checkup: Checkup) -> None:
    known = {(deck.id, item.key) for deck in checkup.decks for item in deck.items()}
    loaded_ids = {deck.id for deck in checkup.decks}
    orphans = checkup.orphans
    for row in store.db.execute("SELECT deck_id, card_id FROM card_state"):
        key = (row[0], row[1])
        if key in known:
            continue
        orphans.states[row[0]] += 1
        # A deck that is not loaded may be one of the broken files: its progress is not orphaned, only unreadable.
        if checkup.broken_decks and row[0] not in loaded_ids:
            orphans.held_back.add(row[0])
        else:
            orphans.prunable.append(key)
    grouped = "SELECT deck_id, card_id, COUNT(*) FROM review_log GROUP BY deck_id, card_id"
    for deck_id, card_id, count in store.db.execute(grouped):
        if (deck_id, card_id) not in known:
            orphans.reviews[deck_id] += count


def prune(checkup: Checkup) -> int:
    """Delete the orphaned card_state rows found by ``examine`` (never review_log rows); returns how many went."""
    if not checkup.orphans.prunable:
        return 0
    store = open_store(checkup.database)
    try:
        with store.transaction() as db:
            deleted = 0
            for deck_id, card_id in checkup.orphans.prunable:
                cursor = db.execute("DELETE FROM card_state WHERE deck_id = ? AND card_id = ?", (deck_id, card_id))
                deleted += cursor.rowcount
    finally:
        store.close()
    checkup.orphans.states.subtract(Counter(deck_id for deck_id, _card in checkup.orphans.prunable))
    checkup.orphans.states = +checkup.orphans.states  # drop the decks now at zero
    checkup.orphans.prunable = []
    return deleted
