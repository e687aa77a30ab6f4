"""The progress repository: every read and write of the progress tables, as typed rows.

card_state, review_log, exercise_attempt and exercise_hint are read and written here and nowhere else. The rest of
dlquiz (the study session, `decks`, stats, doctor, backup) asks this module and gets the typed rows of ``records``
(``CardState``, ``ReviewLog``, ``ExerciseAttempt``) back; ``store`` owns the connection, the transactions and the
migrations. Column lists come from the records' fields, so a schema change touches the migration, the records,
this module where a query needs it, and backup's record spec — nothing else.

Every method that writes is one transaction, committed before it returns, so an answer survives whatever happens to
the process next. A caller that holds a transaction already (``with store.transaction():``) has them join it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from dlquiz.errors import DlquizError
from dlquiz.review import clock
from dlquiz.review.records import CardState, ExerciseAttempt, Key, ReviewLog, SchedulingState, to_millis

if TYPE_CHECKING:
    import sqlite3

    from dlquiz.review.store import Store


@dataclass
class ReviewDay:
    """One study day's answers, summed in SQL (the review log may hold hundreds of thousands of rows)."""

    reviews: int = 0
    review_answers: int = 0  # answers to cards from the review queue: what true retention is measured on
    review_correct: int = 0  # of those, rated Hard, Good or Easy
    duration_ms: int = 0


class Answered(NamedTuple):
    """What the learner did since a moment: new cards introduced and reviews done (for the daily limits)."""

    new_cards: int
    reviews: int


_CARD_COLUMNS = tuple(item.name for item in fields(CardState))
_SCHEDULE_COLUMNS = tuple(item.name for item in fields(SchedulingState))
_REVIEW_COLUMNS = tuple(item.name for item in fields(ReviewLog) if item.name != "id")
_ATTEMPT_COLUMNS = tuple(item.name for item in fields(ExerciseAttempt))
_REVIEW_ORDER = "reviewed_at, deck_id, card_id, rating, id"


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _upsert(table: str, columns: tuple[str, ...], keys: tuple[str, ...], updated: tuple[str, ...]) -> str:
    assignments = ", ".join(f"{column} = excluded.{column}" for column in updated)
    return f"{_insert(table, columns)} ON CONFLICT({', '.join(keys)}) DO UPDATE SET {assignments}"


_SAVE_CARD = _upsert("card_state", _CARD_COLUMNS, ("deck_id", "card_id"), _CARD_COLUMNS[2:])
# An answer writes the new schedule and ends a burial; suspension is the learner's to change.
_ANSWER_CARD = _upsert("card_state", ("deck_id", "card_id", *_SCHEDULE_COLUMNS), ("deck_id", "card_id"),
                       _SCHEDULE_COLUMNS) + ", buried_until = NULL"
_ADD_REVIEW = _insert("review_log", _REVIEW_COLUMNS)
_ADD_ATTEMPT = _insert("exercise_attempt", _ATTEMPT_COLUMNS)


def _values(record: Mapping[str, Any], columns: tuple[str, ...]) -> tuple[Any, ...]:
    """A record's values in the columns' order (a KeyError here means a field and its column disagree)."""
    return tuple(record[column] for column in columns)


def _review_values(review: ReviewLog) -> tuple[Any, ...]:
    return _values(review.to_dict(states_as_json=True), _REVIEW_COLUMNS)  # the states as JSON text, as stored


def _deck_filter(deck_ids: Iterable[str] | None, joiner: str = "WHERE") -> tuple[str, list[str]]:
    if deck_ids is None:
        return "", []
    ids = list(deck_ids)
    return f" {joiner} deck_id IN ({','.join('?' * len(ids))})", ids


def _unreadable(what: str, key: object, error: Exception) -> DlquizError:
    return DlquizError(
        f"the progress database holds an unreadable {what} ({key}: {error}); it was written outside dlquiz",
        "Restore a backup (`dlquiz progress import FILE` into a fresh DLQUIZ_HOME), or delete that row with an SQLite "
        "tool: the card then starts afresh.",
    )


def _card_state(row: sqlite3.Row) -> CardState:
    try:
        return CardState.from_dict(dict(row))
    except (ValueError, TypeError, KeyError) as error:
        raise _unreadable("card state", f"deck {row['deck_id']}, card {row['card_id']}", error) from None


def _review(row: sqlite3.Row) -> ReviewLog:
    try:
        data = dict(row)
        data["state_before"] = json.loads(data["state_before"]) if data["state_before"] else None
        data["state_after"] = json.loads(data["state_after"])
        return ReviewLog.from_dict(data)
    except (ValueError, TypeError, KeyError) as error:
        raise _unreadable("review-log row", f"id {row['id']}", error) from None


class ProgressRepository:
    """The progress tables of one open ``Store``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # -- card states ---------------------------------------------------------------------------------------------

    def card_state(self, deck_id: str, card_id: str) -> CardState | None:
        row = self.db.execute("SELECT * FROM card_state WHERE deck_id = ? AND card_id = ?",
                              (deck_id, card_id)).fetchone()
        return None if row is None else _card_state(row)

    def card_states(self, deck_ids: Iterable[str] | None = None) -> dict[Key, CardState]:
        """The states of these decks' cards (of every card when ``deck_ids`` is None), by (deck id, card id)."""
        where, params = _deck_filter(deck_ids)
        rows = self.db.execute(f"SELECT * FROM card_state{where} ORDER BY deck_id, card_id", params)
        return {(row["deck_id"], row["card_id"]): _card_state(row) for row in rows}

    def card_keys(self) -> list[Key]:
        """Every card state's key, without reading the states (doctor looks for orphans this way)."""
        return [(row[0], row[1]) for row in self.db.execute("SELECT deck_id, card_id FROM card_state")]

    def card_state_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM card_state").fetchone()[0])

    def save_card_state(self, state: CardState) -> None:
        """Write the whole row as given (undo, merging a backup, restoring)."""
        self.save_card_states([state])

    def save_card_states(self, states: Iterable[CardState]) -> None:
        with self.store.transaction() as db:
            db.executemany(_SAVE_CARD, (_values(state.to_dict(), _CARD_COLUMNS) for state in states))

    def delete_card_state(self, deck_id: str, card_id: str) -> int:
        with self.store.transaction() as db:
            cursor = db.execute("DELETE FROM card_state WHERE deck_id = ? AND card_id = ?", (deck_id, card_id))
            return cursor.rowcount

    def _ensure_row(self, db: sqlite3.Connection, deck_id: str, card_id: str, now: datetime) -> None:
        # A never-answered card gets a row for its flags; last_review NULL keeps it new.
        values = _values(CardState.unanswered(deck_id, card_id, now).to_dict(), _CARD_COLUMNS)
        db.execute(_insert("card_state", _CARD_COLUMNS) + " ON CONFLICT DO NOTHING", values)

    def set_suspended(self, deck_id: str, card_id: str, suspended: bool, now: datetime) -> None:
        with self.store.transaction() as db:
            self._ensure_row(db, deck_id, card_id, now)
            db.execute("UPDATE card_state SET suspended = ? WHERE deck_id = ? AND card_id = ?",
                       (int(suspended), deck_id, card_id))

    def bury(self, deck_id: str, card_id: str, until: datetime, now: datetime) -> None:
        with self.store.transaction() as db:
            self._ensure_row(db, deck_id, card_id, now)
            db.execute("UPDATE card_state SET buried_until = ? WHERE deck_id = ? AND card_id = ?",
                       (clock.to_text(until), deck_id, card_id))

    def unsuspend_all(self, deck_ids: Iterable[str]) -> int:
        where, params = _deck_filter(deck_ids, "AND")
        with self.store.transaction() as db:
            return db.execute(f"UPDATE card_state SET suspended = 0 WHERE suspended = 1{where}", params).rowcount

    def next_due_after(self, deck_ids: Iterable[str], moment: datetime) -> datetime | None:
        """When the next answered, unsuspended card of these decks falls due after ``moment``."""
        where, params = _deck_filter(deck_ids, "AND")
        row = self.db.execute(
            f"SELECT MIN(due) FROM card_state WHERE suspended = 0 AND last_review IS NOT NULL AND due > ?{where}",
            [clock.to_text(moment), *params],
        ).fetchone()
        return clock.from_text(row[0]) if row and row[0] else None

    # -- answers -------------------------------------------------------------------------------------------------

    def record_answer(self, review: ReviewLog) -> ReviewLog:
        """Save the card's new state and the review-log row in one transaction; returns the row with its id."""
        schedule = review.state_after
        if schedule.last_review is None:  # an answered card is never new again
            schedule = replace(schedule, last_review=to_millis(review.reviewed_at))
        with self.store.transaction() as db:
            db.execute(_ANSWER_CARD, (review.deck_id, review.card_id, *_values(schedule.to_dict(), _SCHEDULE_COLUMNS)))
            return self._add_review(db, review)

    def restore(self, deck_id: str, card_id: str, before: CardState | None, drop_log_id: int | None = None) -> None:
        """Put a card back exactly as it was (None: it had no row), and drop an answer's log row with it (undo)."""
        with self.store.transaction() as db:
            if drop_log_id is not None:
                db.execute("DELETE FROM review_log WHERE id = ?", (drop_log_id,))
            if before is None:
                db.execute("DELETE FROM card_state WHERE deck_id = ? AND card_id = ?", (deck_id, card_id))
            else:
                db.execute(_SAVE_CARD, _values(before.to_dict(), _CARD_COLUMNS))

    # -- the review log ------------------------------------------------------------------------------------------

    def _add_review(self, db: sqlite3.Connection, review: ReviewLog) -> ReviewLog:
        cursor = db.execute(_ADD_REVIEW, _review_values(review))
        return replace(review, id=cursor.lastrowid)

    def add_review(self, review: ReviewLog) -> ReviewLog:
        """Insert a review as it is (merging a backup); the card's state is the caller's to save."""
        with self.store.transaction() as db:
            return self._add_review(db, review)

    def add_reviews(self, reviews: Iterable[ReviewLog]) -> None:
        with self.store.transaction() as db:
            db.executemany(_ADD_REVIEW, (_review_values(review) for review in reviews))

    def rewrite_review(self, review: ReviewLog) -> None:
        """Replace a saved review's queue and states (a merged history replayed through FSRS)."""
        if review.id is None:
            raise ValueError("only a saved review (with its id) can be rewritten")
        row = review.to_dict(states_as_json=True)
        with self.store.transaction() as db:
            db.execute("UPDATE review_log SET queue = ?, state_before = ?, state_after = ? WHERE id = ?",
                       (row["queue"], row["state_before"], row["state_after"], review.id))

    def iter_reviews(self) -> Iterator[ReviewLog]:
        """Every review in time order, read as it goes (the log can be long)."""
        for row in self.db.execute(f"SELECT * FROM review_log ORDER BY {_REVIEW_ORDER}"):
            yield _review(row)

    def answers(self, deck_id: str, card_id: str) -> list[tuple[datetime, int]]:
        """When one card was answered and the rating given, without reading the states (quick to compare)."""
        rows = self.db.execute("SELECT reviewed_at, rating FROM review_log WHERE deck_id = ? AND card_id = ?",
                               (deck_id, card_id))
        return [(clock.from_text(row[0]), int(row[1])) for row in rows]

    def reviews(self, deck_id: str, card_id: str) -> list[ReviewLog]:
        """One card's reviews in time order."""
        rows = self.db.execute(f"SELECT * FROM review_log WHERE deck_id = ? AND card_id = ? ORDER BY {_REVIEW_ORDER}",
                               (deck_id, card_id))
        return [_review(row) for row in rows]

    def review_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM review_log").fetchone()[0])

    def review_counts_by_card(self) -> dict[Key, int]:
        rows = self.db.execute("SELECT deck_id, card_id, COUNT(*) FROM review_log GROUP BY deck_id, card_id")
        return {(row[0], row[1]): int(row[2]) for row in rows}

    def answered_since(self, since: datetime, until: datetime | None = None) -> Answered:
        """New cards introduced and reviews done since ``since`` and before ``until`` (for the daily limits: an
        answer written under a later clock belongs to a later day)."""
        row = self.db.execute(
            """SELECT COUNT(DISTINCT CASE WHEN queue = 'new' THEN deck_id || char(0) || card_id END),
                      SUM(queue = 'review')
               FROM review_log WHERE reviewed_at >= ? AND (? IS NULL OR reviewed_at < ?)""",
            (clock.to_text(since), *[None if until is None else clock.to_text(until)] * 2),
        ).fetchone()
        return Answered(int(row[0] or 0), int(row[1] or 0))

    def keys_answered_between(self, start: datetime, end: datetime) -> list[Key]:
        """The cards answered in [start, end), each once (for sibling burying)."""
        rows = self.db.execute(
            "SELECT DISTINCT deck_id, card_id FROM review_log WHERE reviewed_at >= ? AND reviewed_at < ?",
            (clock.to_text(start), clock.to_text(end)),
        )
        return [(row[0], row[1]) for row in rows]

    def review_days(self, deck_ids: Iterable[str] | None, shift: timedelta) -> dict[date, ReviewDay]:
        """The answers of these decks (all decks when None) summed per study day. ``shift`` moves an instant so that
        its date is its study day (``day.StudyDay.date_shift``)."""
        where, params = _deck_filter(deck_ids)
        rows = self.db.execute(
            f"""SELECT date(reviewed_at, ?) AS day, COUNT(*), SUM(queue = 'review'),
                       SUM(queue = 'review' AND rating >= 2), TOTAL(duration_ms)
                FROM review_log{where} GROUP BY day""",
            [f"{int(shift.total_seconds() // 60):+d} minutes", *params],
        )
        return {
            date.fromisoformat(row[0]): ReviewDay(int(row[1]), int(row[2] or 0), int(row[3] or 0), int(row[4]))
            for row in rows
            if row[0] is not None  # an unreadable timestamp (a hand-edited row) is skipped, not fatal
        }

    # -- exercises -----------------------------------------------------------------------------------------------

    def record_exercise_attempt(
        self,
        exercise: str,
        status: str,
        cases_passed: int,
        cases_total: int,
        hints_used: int,
        summary: str = "",
        at: datetime | None = None,
    ) -> None:
        """One grading of an exercise, now (or ``at``): what the exercise workflow records."""
        attempt = ExerciseAttempt(exercise, at or clock.now(), status, cases_passed, cases_total, hints_used, summary)
        self.add_exercise_attempt(attempt)

    def add_exercise_attempt(self, attempt: ExerciseAttempt) -> None:
        with self.store.transaction() as db:
            db.execute(_ADD_ATTEMPT, _values(attempt.to_dict(), _ATTEMPT_COLUMNS))

    def exercise_attempts(self, exercise: str | None = None) -> list[ExerciseAttempt]:
        """Attempts in time order, of one exercise or of all."""
        where, params = ("", ()) if exercise is None else (" WHERE exercise = ?", (exercise,))
        rows = self.db.execute(f"SELECT * FROM exercise_attempt{where} ORDER BY attempted_at, id", params)
        return [ExerciseAttempt.from_dict(dict(row)) for row in rows]

    def hints_shown(self, exercise: str) -> int:
        row = self.db.execute("SELECT hints_shown FROM exercise_hint WHERE exercise = ?", (exercise,)).fetchone()
        return int(row[0]) if row else 0

    def hint_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT exercise, hints_shown FROM exercise_hint ORDER BY exercise")
        return {row[0]: int(row[1]) for row in rows}

    def set_hints_shown(self, exercise: str, count: int) -> None:
        with self.store.transaction() as db:
            db.execute(_upsert("exercise_hint", ("exercise", "hints_shown"), ("exercise",), ("hints_shown",)),
                       (exercise, count))

    def raise_hints_shown(self, exercise: str, count: int) -> bool:
        """Keep the higher of the stored count and ``count``; True when the stored one went up."""
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO exercise_hint (exercise, hints_shown) VALUES (?, ?) ON CONFLICT(exercise)"
                " DO UPDATE SET hints_shown = excluded.hints_shown WHERE excluded.hints_shown > hints_shown",
                (exercise, count),
            )
            return cursor.rowcount > 0
