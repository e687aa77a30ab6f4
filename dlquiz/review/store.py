"""The progress database: one SQLite file, versioned by numbered migrations, every write committed at once.

This module owns the connection, the transactions, the migrations and the settings table. The progress tables
(card states, the review log, exercise attempts and hints) are read and written by ``repository`` only.

Rows are keyed by (deck id, card id) where the card id is the id of one *review item*
(``relu-def``, ``relu-def::reverse``, ``relu-cloze::c2``), so editing a card's text keeps its progress.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Callable, Literal

from dlquiz.errors import DlquizError


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one inside the caller's transaction (executescript would COMMIT first)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        db.execute(statement)


def _m001_initial(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE card_state (
            deck_id      TEXT NOT NULL,
            card_id      TEXT NOT NULL,
            state        INTEGER NOT NULL,          -- fsrs.State: 1 learning, 2 review, 3 relearning
            step         INTEGER,
            stability    REAL,
            difficulty   REAL,
            due          TEXT NOT NULL,             -- ISO 8601, UTC
            last_review  TEXT,                      -- NULL: never answered (a new card)
            suspended    INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT,                      -- hidden from the queue until this instant
            PRIMARY KEY (deck_id, card_id)
        ) STRICT;
        CREATE INDEX card_state_due ON card_state (due);

        CREATE TABLE review_log (
            id           INTEGER PRIMARY KEY,
            deck_id      TEXT NOT NULL,
            card_id      TEXT NOT NULL,
            rating       INTEGER NOT NULL,          -- 1 Again, 2 Hard, 3 Good, 4 Easy
            queue        TEXT NOT NULL,             -- where the card came from: new | learning | review | relearning
            reviewed_at  TEXT NOT NULL,
            duration_ms  INTEGER,
            state_before TEXT,                      -- JSON of card_state before; NULL for a new card
            state_after  TEXT NOT NULL
        ) STRICT;
        CREATE INDEX review_log_time ON review_log (reviewed_at);
        CREATE INDEX review_log_card ON review_log (deck_id, card_id);

        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT;

        CREATE TABLE exercise_attempt (
            id            INTEGER PRIMARY KEY,
            exercise      TEXT NOT NULL,
            attempted_at  TEXT NOT NULL,
            status        TEXT NOT NULL,            -- passed | failed | error
            cases_passed  INTEGER NOT NULL,
            cases_total   INTEGER NOT NULL,
            hints_used    INTEGER NOT NULL,
            summary       TEXT NOT NULL DEFAULT ''  -- one line: what went wrong first
        ) STRICT;
        CREATE INDEX exercise_attempt_name ON exercise_attempt (exercise, attempted_at);

        CREATE TABLE exercise_hint (
            exercise    TEXT PRIMARY KEY,
            hints_shown INTEGER NOT NULL
        ) STRICT;
        """
    )


# Append only: a released migration is never edited, a new one gets the next number.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite3.Connection], None]]] = [
    (1, "initial", _m001_initial),
]


def _explain(path: Path, error: sqlite3.Error) -> DlquizError:
    text = str(error).lower()
    if "readonly" in text or "read-only" in text:
        return DlquizError(
            f"cannot save progress: {path} is read-only",
            "Make it writable (chmod u+w), or point DLQUIZ_HOME at a writable folder.",
            zh=(f"无法保存进度：{path} 是只读的", "请让它可写（chmod u+w），或把 DLQUIZ_HOME 指向可写的文件夹。"),
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return DlquizError(
            f"the progress database {path} is damaged ({error}); it was left untouched",
            "Move it aside to start afresh (your old file stays for recovery), or restore a backup copy.",
            zh=(f"进度数据库 {path} 已损坏（{error}）；文件没有被改动",
                "把它移到别处即可重新开始（旧文件留作恢复之用），或恢复一份备份。"),
        )
    if "locked" in text or "busy" in text:
        return DlquizError(
            f"the progress database {path} is busy (another dlquiz is writing); nothing was lost",
            "Try again in a moment.",
            zh=(f"进度数据库 {path} 正忙（另一个 dlquiz 正在写入）；没有丢失任何内容", "请稍后再试。"),
        )
    if "unable to open" in text:
        return DlquizError(
            f"cannot open the progress database {path}",
            "Check that the folder exists and is writable, or set DLQUIZ_HOME to another folder.",
            zh=(f"无法打开进度数据库 {path}", "请确认文件夹存在且可写，或把 DLQUIZ_HOME 设为另一个文件夹。"),
        )
    return DlquizError(f"progress database {path}: {error}")


class Store:
    """An open progress database. Every public write is its own committed transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DlquizError(
                f"cannot create the data folder {path.parent}: {error.strerror}",
                "Set DLQUIZ_HOME to a writable folder.",
            ) from None
        try:
            # isolation_level=None: we issue BEGIN ourselves, so each write commits exactly when we say.
            self.db = sqlite3.connect(path, timeout=10, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 10000")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._check_integrity_cheaply()
            self._migrate()
            if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as error:
            raise _explain(path, error) from None

    # -- plumbing ---------------------------------------------------------------------------

    def _check_integrity_cheaply(self) -> None:
        # Reading the schema fails fast on a file that is not SQLite at all.
        self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def integrity_problems(self) -> list[str]:
        """What SQLite's integrity check finds (damaged pages, inconsistent indexes); empty when the file is sound."""
        lines = [str(row[0]) for row in self.db.execute("PRAGMA integrity_check")]
        return [line for line in lines if line != "ok"]

    def foreign_key_problems(self) -> list[str]:
        return [" ".join(str(value) for value in tuple(row)) for row in self.db.execute("PRAGMA foreign_key_check")]

    def _migrate(self) -> None:
        current = self.schema_version()
        pending = [m for m in MIGRATIONS if m[0] > current]
        if not pending:
            return
        if current > 0:
            self._copy_aside(current)
        for number, _name, apply in pending:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if self.schema_version() >= number:  # another process migrated meanwhile
                    self.db.execute("ROLLBACK")
                    continue
                apply(self.db)
                self.db.execute(f"PRAGMA user_version = {number:d}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _copy_aside(self, version: int) -> None:
        backup = self.path.with_name(f"{self.path.name}.before-v{version + 1}.bak")
        if not backup.exists():
            self.db.execute("PRAGMA wal_checkpoint(FULL)")
            shutil.copy2(self.path, backup)

    def transaction(self) -> _Transaction:
        """``with store.transaction():`` — one write transaction; inside another one it simply joins it."""
        return _Transaction(self)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One consistent view for several reads: a study session writing meanwhile is not seen half-way."""
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    # -- settings ---------------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self.db.execute("SELECT key, value FROM settings")}

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def delete_setting(self, key: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM settings WHERE key = ?", (key,))


class _Transaction:
    """``with store.transaction():`` — BEGIN IMMEDIATE … COMMIT, rolled back on any error.

    Opened while a transaction is already open, it joins that one: the outer ``with`` commits or rolls back the
    whole (so a progress import is one transaction although each repository write is one on its own)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.joined = False

    def __enter__(self) -> sqlite3.Connection:
        db = self.store.db
        self.joined = db.in_transaction
        if self.joined:
            return db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise _explain(self.store.path, error) from None
        return db

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> Literal[False]:
        if self.joined:
            return False
        db = self.store.db
        if kind is None:
            try:
                db.execute("COMMIT")
            except sqlite3.Error as commit_error:
                db.execute("ROLLBACK")
                raise _explain(self.store.path, commit_error) from None
            return False
        db.execute("ROLLBACK")
        if isinstance(error, sqlite3.Error):
            raise _explain(self.store.path, error) from None
        return False


def open_store(path: Path | None = None) -> Store:
    from dlquiz import paths

    return Store(path or paths.database_path())

