"""The progress database: one SQLite file, versioned by numbered migrations, every write committed at once.

This module owns the connection, the transactions, the migrations and the settings table. The progress tables
(card states, the review log, exercise attempts, help and reviews) are read and written by ``repository`` only.

Rows are keyed by (deck id, card id) where the card id is the id of one *review item*
(``relu-def``, ``relu-def::reverse``, ``relu-cloze::c2``), so editing a card's text keeps its progress.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
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
        """,
    )


def _m002_exercise_reviews(db: sqlite3.Connection) -> None:
    """Exercises get an FSRS schedule: one review row per pass (or give-up), the schedule is the last row's
    state_after. exercise_hint becomes the help taken in the current review, with the times that say which review
    each piece of help belongs to (and which side is newer when two machines' progress is merged)."""
    _run_script(
        db,
        """
        CREATE TABLE exercise_review (
            id           INTEGER PRIMARY KEY,
            exercise     TEXT NOT NULL,
            rating       INTEGER NOT NULL,          -- 1 Again, 2 Hard, 3 Good, 4 Easy
            rule         TEXT NOT NULL,             -- why that rating: first-try | clean | hints | solution | gave-up
            reviewed_at  TEXT NOT NULL,
            attempts     INTEGER NOT NULL,          -- gradings in this review, the pass included
            hints_used   INTEGER NOT NULL,          -- hints shown in this review
            state_before TEXT,                      -- JSON of the schedule before; NULL for the first review
            state_after  TEXT NOT NULL
        ) STRICT;
        CREATE INDEX exercise_review_name ON exercise_review (exercise, reviewed_at);
        ALTER TABLE exercise_hint ADD COLUMN last_shown_at TEXT;      -- when the last hint was shown
        ALTER TABLE exercise_hint ADD COLUMN solution_shown_at TEXT;  -- when the solution was last shown
        ALTER TABLE exercise_hint ADD COLUMN restarted_at TEXT;       -- when a due review restarted the file
        """,
    )
    _schedule_earlier_passes(db)


def _schedule_earlier_passes(db: sqlite3.Connection) -> None:
    """An exercise passed before exercises were scheduled gets its first review at its first pass (rated by the
    same rules, without the solution, which was not recorded), so it comes back when due instead of never."""
    import json

    from fsrs import Rating

    from dlquiz.review.exercise_schedule import exercise_scheduler, next_schedule
    from dlquiz.review.records import SchedulingState
    from dlquiz.review.settings import StudySettings

    settings = StudySettings({row[0]: row[1] for row in db.execute("SELECT key, value FROM settings")})
    scheduler = exercise_scheduler(settings)
    rows = db.execute(
        "SELECT exercise, attempted_at, status, hints_used FROM exercise_attempt ORDER BY attempted_at, id"
    )
    first_pass: dict[str, tuple[str, int, int]] = {}  # exercise -> (time, tries, hints) of its first pass
    tries: dict[str, int] = {}
    for exercise, attempted_at, status, hints in rows.fetchall():
        if exercise in first_pass:
            continue
        tries[exercise] = tries.get(exercise, 0) + 1
        if status == "passed":
            first_pass[exercise] = (attempted_at, tries[exercise], hints)
    for exercise, (attempted_at, count, hints) in sorted(first_pass.items()):
        rule, rating = ("hints", 2) if hints else ("first-try", 4) if count == 1 else ("clean", 3)
        moment = datetime.fromisoformat(attempted_at)
        after: SchedulingState = next_schedule(scheduler, None, Rating(rating), moment)
        db.execute(
            "INSERT INTO exercise_review (exercise, rating, rule, reviewed_at, attempts, hints_used, state_before,"
            " state_after) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
            (exercise, rating, rule, attempted_at, count, hints, json.dumps(after.to_dict())),
        )


# Append only: a released migration is never edited, a new one gets the next number.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite3.Connection], None]]] = [
    (1, "initial", _m001_initial),
    (2, "exercise reviews", _m002_exercise_reviews),
]


# How long a write waits for another dlquiz's lock before giving up (a study session's answer is then kept and
# retried by the session).
BUSY_TIMEOUT_S = 10.0


class StoreError(DlquizError):
    """The progress database refused a read or a write; the subclass says why, so a caller holding something
    unsaved (an answer, a grade) can say what happened to it."""


class StoreBusy(StoreError):
    """Another process held the lock for longer than the busy timeout: trying again later may work."""


class StoreFull(StoreError):
    """The disk (or the user's quota, or the file size limit) is full."""


class StoreReadOnly(StoreError):
    """The file or its folder cannot be written."""


class StoreDamaged(StoreError):
    """The file is not a database, or some of its pages are garbage."""


SALVAGE_HINT = (
    "Copy the file aside now, then save what can still be read with `dlquiz progress export -o backup.jsonl` and "
    "import it into a fresh home (`DLQUIZ_HOME=… dlquiz progress import backup.jsonl`); or restore a backup copy."
)
SALVAGE_HINT_ZH = (
    "先把文件复制到别处，再用 `dlquiz progress export -o backup.jsonl` 导出仍能读取的内容，"
    "然后导入一个新的目录（`DLQUIZ_HOME=… dlquiz progress import backup.jsonl`）；或恢复一份备份。"
)


def explain(path: Path, error: sqlite3.Error) -> StoreError:
    """One clear message for an SQLite error on the progress database (none of them ends in a traceback)."""
    text = str(error).lower()
    if "readonly" in text or "read-only" in text:
        return StoreReadOnly(
            f"cannot save progress: {path} is read-only",
            "Make it writable (chmod u+w), or point DLQUIZ_HOME at a writable folder.",
            zh=(f"无法保存进度：{path} 是只读的", "请让它可写（chmod u+w），或把 DLQUIZ_HOME 指向可写的文件夹。"),
        )
    if "full" in text or "too big" in text:  # SQLITE_FULL: the disk or the quota; "too big": RLIMIT_FSIZE and kin
        return StoreFull(
            f"cannot save progress: the disk holding {path} is full ({error})",
            "Free some space (or raise your quota), then try again; what was saved before is intact.",
            zh=(
                f"无法保存进度：{path} 所在的磁盘已满（{error}）",
                "请腾出一些空间（或提高配额）后再试；之前保存的内容都完好。",
            ),
        )
    if "not a database" in text:  # the header itself is gone: nothing can be read back out of it
        return StoreDamaged(
            f"the progress database {path} is damaged ({error}); it was left untouched",
            "Move it aside to start afresh (your old file stays for recovery), or restore a backup copy.",
            zh=(
                f"进度数据库 {path} 已损坏（{error}）；文件没有被改动",
                "把它移到别处即可重新开始（旧文件留作恢复之用），或恢复一份备份。",
            ),
        )
    if "malformed" in text or "corrupt" in text:  # some pages are garbage: the others can still be exported
        return StoreDamaged(
            f"the progress database {path} is damaged ({error}); it was left untouched",
            SALVAGE_HINT,
            zh=(f"进度数据库 {path} 已损坏（{error}）；文件没有被改动", SALVAGE_HINT_ZH),
        )
    if "locked" in text or "busy" in text:
        return StoreBusy(
            f"the progress database {path} is busy: another dlquiz kept it locked; this change was not saved",
            "Try again in a moment (or close the other dlquiz).",
            zh=(
                f"进度数据库 {path} 正忙：另一个 dlquiz 锁住了它；这次更改没有保存",
                "请稍后再试（或关闭另一个 dlquiz）。",
            ),
        )
    if "unable to open" in text or "disk i/o" in text:
        return StoreError(
            f"cannot open the progress database {path} ({error})",
            "Check that the folder exists and is writable, or set DLQUIZ_HOME to another folder.",
            zh=(f"无法打开进度数据库 {path}", "请确认文件夹存在且可写，或把 DLQUIZ_HOME 设为另一个文件夹。"),
        )
    return StoreError(f"progress database {path}: {error}")


_explain = explain


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back what is still open. SQLite may already have rolled back by itself (a failed COMMIT on a full
    disk does): ROLLBACK then fails with "no transaction is active", which would hide the real error."""
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the connection is closed with the store; SQLite discards the transaction then


class Store:
    """An open progress database. Every public write is its own committed transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            reason = "it is a file, not a folder" if path.parent.is_file() else error.strerror
            raise DlquizError(
                f"cannot create the data folder {path.parent}: {reason}",
                "Set DLQUIZ_HOME to a writable folder.",
            ) from None
        try:
            # isolation_level=None: we issue BEGIN ourselves, so each write commits exactly when we say.
            self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000):d}")
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

    def quick_check(self) -> list[str]:
        """SQLite's quick check (pages and rows, not index contents): empty when the file reads cleanly."""
        return [str(row[0]) for row in self.db.execute("PRAGMA quick_check") if row[0] != "ok"]

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
                _rollback(self.db)
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
            _rollback(self.db)  # nothing was written: ending the read transaction is all this does

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
                _rollback(db)
                raise _explain(self.store.path, commit_error) from None
            return False
        _rollback(db)
        if isinstance(error, sqlite3.Error):
            raise _explain(self.store.path, error) from None
        return False


def open_store(path: Path | None = None) -> Store:
    from dlquiz import paths

    return Store(path or paths.database_path())
