"""The progress repository: every read and write of the progress tables, as typed rows.

card_state, review_log, exercise_attempt, exercise_hint and exercise_review are read and written here and nowhere
else. The rest of dlquiz (the study session, `decks`, stats, doctor, backup) asks this module and gets the typed
rows of ``records`` (``CardState``, ``ReviewLog``, ``ExerciseAttempt``, ``ExerciseReview``, ``ExerciseHelp``) back;
``store`` owns the connection, the transactions and the migrations. Column lists come from the records' fields, so a schema change touches the migration, the records,
this module where a query needs it, and backup's record spec — nothing else.

Every method that writes is one transaction, committed before it returns, so an answer survives whatever happens to
the process next. A caller that holds a transaction already (``with store.transaction():``) has them join it.

Why one module of this size: it is the one place that holds SQL on the progress tables (the architecture's rule);
splitting it by table would spread the SQL out again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from fsrs import Rating

from dlquiz.errors import DlquizError
from dlquiz.review import clock
from dlquiz.review.exercise_schedule import exercise_scheduler, next_schedule
from dlquiz.review.records import (
    SQLITE_MAX_INT,
    CardState,
    ExerciseAttempt,
    ExerciseHelp,
    ExerciseReview,
    Key,
    ReviewLog,
    SchedulingState,
    to_millis,
)
from dlquiz.review.settings import StudySettings

if TYPE_CHECKING:
    import sqlite3

    from dlquiz.review.store import Store

T = TypeVar("T")


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
_EXERCISE_REVIEW_COLUMNS = tuple(item.name for item in fields(ExerciseReview) if item.name != "id")
_HELP_COLUMNS = tuple(item.name for item in fields(ExerciseHelp))


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _upsert(table: str, columns: tuple[str, ...], keys: tuple[str, ...], updated: tuple[str, ...]) -> str:
    assignments = ", ".join(f"{column} = excluded.{column}" for column in updated)
    return f"{_insert(table, columns)} ON CONFLICT({', '.join(keys)}) DO UPDATE SET {assignments}"


_SAVE_CARD = _upsert("card_state", _CARD_COLUMNS, ("deck_id", "card_id"), _CARD_COLUMNS[2:])
# An answer writes the new schedule and ends a burial; suspension is the learner's to change.
_ANSWER_CARD = (
    _upsert("card_state", ("deck_id", "card_id", *_SCHEDULE_COLUMNS), ("deck_id", "card_id"), _SCHEDULE_COLUMNS)
    + ", buried_until = NULL"
)
_ADD_REVIEW = _insert("review_log", _REVIEW_COLUMNS)
_ADD_ATTEMPT = _insert("exercise_attempt", _ATTEMPT_COLUMNS)
_ADD_EXERCISE_REVIEW = _insert("exercise_review", _EXERCISE_REVIEW_COLUMNS)
_SAVE_HELP = _upsert("exercise_hint", _HELP_COLUMNS, ("exercise",), _HELP_COLUMNS[1:])


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


# What a row written outside dlquiz can raise on the way to a typed record: a wrong type, a missing JSON key, an
# out-of-range value (records' checks raise ValueError), JSON nested until Python's recursion gives up.
_ROW_ERRORS = (ValueError, TypeError, KeyError, AttributeError, RecursionError)


def _card_state(row: sqlite3.Row) -> CardState:
    try:
        return CardState.from_dict(dict(row))
    except _ROW_ERRORS as error:
        raise _unreadable("card state", f"deck {row['deck_id']}, card {row['card_id']}", error) from None


def _with_states(row: sqlite3.Row) -> dict[str, Any]:
    """A review row (of a card or an exercise) as a dict, its JSON scheduling states decoded."""
    data = dict(row)
    data["state_before"] = json.loads(data["state_before"]) if data["state_before"] else None
    data["state_after"] = json.loads(data["state_after"])
    return data


def _review(row: sqlite3.Row) -> ReviewLog:
    try:
        return ReviewLog.from_dict(_with_states(row))
    except _ROW_ERRORS as error:
        raise _unreadable("review-log row", f"id {row['id']}", error) from None


def _exercise_review(row: sqlite3.Row) -> ExerciseReview:
    try:
        return ExerciseReview.from_dict(_with_states(row))
    except _ROW_ERRORS as error:
        raise _unreadable("exercise review", f"id {row['id']}", error) from None


def _attempt(row: sqlite3.Row) -> ExerciseAttempt:
    try:
        data = dict(row)
        return ExerciseAttempt.from_dict({name: data[name] for name in _ATTEMPT_COLUMNS})
    except _ROW_ERRORS as error:
        raise _unreadable("exercise attempt", f"id {row['id']}", error) from None


def _help(row: sqlite3.Row) -> ExerciseHelp:
    """One exercise_hint row, range-checked like every row read (a damaged count is named, not crashed on)."""
    _hint_count(row["exercise"], row["hints_shown"])
    try:
        return ExerciseHelp.from_dict(dict(row))
    except _ROW_ERRORS as error:
        raise _unreadable("exercise help", f"exercise {row['exercise']}", error) from None


def _hint_count(exercise: str, value: object) -> int:
    if isinstance(value, int) and 0 <= value <= SQLITE_MAX_INT:
        return value
    raise _unreadable("hint count", f"exercise {exercise}", ValueError(f"{value!r} is not a count"))


def _time(text: object, what: str) -> datetime:
    try:
        return clock.from_text(text)  # type: ignore[arg-type]  # from_text refuses a non-text value itself
    except ValueError as error:
        raise _unreadable(what, text, error) from None


def _converted(
    rows: Iterable[sqlite3.Row], convert: Callable[[sqlite3.Row], T], problems: list[str] | None
) -> Iterator[T]:
    for row in rows:
        try:
            yield convert(row)
        except DlquizError as error:
            if problems is None:
                raise
            problems.append(error.message)


# Salvaging a damaged file probes rowids one by one; past the last readable row, this many misses in a row end the
# search when even the largest rowid cannot be read.
SALVAGE_GAP = 100_000
_SALVAGED_TABLES = {"card_state": _card_state, "review_log": _review, "exercise_attempt": _attempt}


@dataclass
class Salvage:
    """What could still be read from a damaged file, table by table, and what could not."""

    rows: dict[str, list[Any]] = field(default_factory=dict)  # table -> typed rows (settings: (key, value))
    unreadable_rows: list[str] = field(default_factory=list)  # rows read but out of range
    damaged_rowids: int = 0  # rowids whose page could not be read


class ProgressRepository:
    """The progress tables of one open ``Store``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # -- card states ---------------------------------------------------------------------------------------------

    def card_state(self, deck_id: str, card_id: str) -> CardState | None:
        row = self.db.execute(
            "SELECT * FROM card_state WHERE deck_id = ? AND card_id = ?", (deck_id, card_id)
        ).fetchone()
        return None if row is None else _card_state(row)

    def card_states(
        self, deck_ids: Iterable[str] | None = None, problems: list[str] | None = None
    ) -> dict[Key, CardState]:
        """The states of these decks' cards (of every card when ``deck_ids`` is None), by (deck id, card id).
        With ``problems``, an unreadable row is described there and skipped instead of raised."""
        where, params = _deck_filter(deck_ids)
        rows = self.db.execute(f"SELECT * FROM card_state{where} ORDER BY deck_id, card_id", params)
        return {state.key: state for state in _converted(rows, _card_state, problems)}

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
            db.execute(
                "UPDATE card_state SET suspended = ? WHERE deck_id = ? AND card_id = ?",
                (int(suspended), deck_id, card_id),
            )

    def bury(self, deck_id: str, card_id: str, until: datetime, now: datetime) -> None:
        with self.store.transaction() as db:
            self._ensure_row(db, deck_id, card_id, now)
            db.execute(
                "UPDATE card_state SET buried_until = ? WHERE deck_id = ? AND card_id = ?",
                (clock.to_text(until), deck_id, card_id),
            )

    def unsuspend_all(self, deck_ids: Iterable[str]) -> int:
        where, params = _deck_filter(deck_ids, "AND")
        with self.store.transaction() as db:
            return db.execute(f"UPDATE card_state SET suspended = 0 WHERE suspended = 1{where}", params).rowcount

    # -- answers -------------------------------------------------------------------------------------------------

    def record_answer(self, review: ReviewLog) -> ReviewLog:
        """Save the card's new state and the review-log row in one transaction; returns the row with its id."""
        with self.store.transaction() as db:
            return self._write_answer(db, review)

    def answer_card(
        self, deck_id: str, card_id: str, make_review: Callable[[CardState | None], ReviewLog]
    ) -> tuple[CardState | None, ReviewLog]:
        """Read the card's row and save the answer ``make_review`` builds from it, in one write transaction: another
        dlquiz that answered the same card meanwhile cannot be overwritten by a schedule built from a stale copy.
        Returns the row as it was before (for undo) and the saved review with its id."""
        with self.store.transaction() as db:
            before = self.card_state(deck_id, card_id)
            return before, self._write_answer(db, make_review(before))

    def _write_answer(self, db: sqlite3.Connection, review: ReviewLog) -> ReviewLog:
        schedule = review.state_after
        if schedule.last_review is None:  # an answered card is never new again
            schedule = replace(schedule, last_review=to_millis(review.reviewed_at))
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
            db.execute(
                "UPDATE review_log SET queue = ?, state_before = ?, state_after = ? WHERE id = ?",
                (row["queue"], row["state_before"], row["state_after"], review.id),
            )

    def iter_reviews(self, problems: list[str] | None = None) -> Iterator[ReviewLog]:
        """Every review in time order, read as it goes (the log can be long). With ``problems``, an unreadable row
        is described there and skipped instead of raised."""
        yield from _converted(self.db.execute(f"SELECT * FROM review_log ORDER BY {_REVIEW_ORDER}"), _review, problems)

    def answers(self, deck_id: str, card_id: str) -> list[tuple[datetime, int]]:
        """When one card was answered and the rating given, without reading the states (quick to compare)."""
        rows = self.db.execute(
            "SELECT reviewed_at, rating FROM review_log WHERE deck_id = ? AND card_id = ?", (deck_id, card_id)
        )
        return [(_time(row[0], "review time"), int(row[1])) for row in rows]

    def reviews(self, deck_id: str, card_id: str) -> list[ReviewLog]:
        """One card's reviews in time order."""
        rows = self.db.execute(
            f"SELECT * FROM review_log WHERE deck_id = ? AND card_id = ? ORDER BY {_REVIEW_ORDER}", (deck_id, card_id)
        )
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

    # -- salvage --------------------------------------------------------------------------------------------------

    def unreadable_rows(self) -> list[str]:
        """Every row of the progress tables that is stored but cannot be used (out of range, not a time …)."""
        problems: list[str] = []
        for table, convert in _SALVAGED_TABLES.items():
            for _row in _converted(self.db.execute(f"SELECT * FROM {table}"), convert, problems):
                pass
        for exercise, count in self.db.execute("SELECT exercise, hints_shown FROM exercise_hint"):
            for _row in _converted([(exercise, count)], lambda row: _hint_count(*row), problems):  # type: ignore
                pass
        return problems

    def salvage(self) -> Salvage:
        """Read a damaged file row by row (by rowid), so that one garbage page loses only the rows on it."""
        import sqlite3

        result = Salvage()
        converters: dict[str, Callable[[Any], Any]] = {
            **_SALVAGED_TABLES,
            "settings": lambda row: (row["key"], row["value"]),
            "exercise_hint": lambda row: (row["exercise"], _hint_count(row["exercise"], row["hints_shown"])),
        }
        for table, convert in converters.items():
            rows = result.rows[table] = []
            try:
                last = self.db.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]
            except sqlite3.DatabaseError:
                last = None  # the rightmost page is damaged too: probe until a long run of misses
            rowid, misses = 0, 0
            while (rowid < last) if last is not None else (misses < SALVAGE_GAP):
                rowid += 1
                try:
                    row = self.db.execute(f"SELECT * FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
                except sqlite3.DatabaseError:
                    result.damaged_rowids += 1
                    misses += 1
                    continue
                if row is None:
                    misses += 1
                    continue
                misses = 0
                rows.extend(_converted([row], convert, result.unreadable_rows))
        return result

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

    def exercise_attempts(
        self, exercise: str | None = None, problems: list[str] | None = None
    ) -> list[ExerciseAttempt]:
        """Attempts in time order, of one exercise or of all (``problems``: as for ``card_states``)."""
        where, params = ("", ()) if exercise is None else (" WHERE exercise = ?", (exercise,))
        rows = self.db.execute(f"SELECT * FROM exercise_attempt{where} ORDER BY attempted_at, id", params)
        return list(_converted(rows, _attempt, problems))

    # -- help taken on exercises (hints, the solution, a restarted file) ----------------------------------------

    def exercise_help(self, exercise: str) -> ExerciseHelp:
        row = self.db.execute("SELECT * FROM exercise_hint WHERE exercise = ?", (exercise,)).fetchone()
        return ExerciseHelp(exercise) if row is None else _help(row)

    def exercise_helps(self) -> list[ExerciseHelp]:
        rows = self.db.execute("SELECT * FROM exercise_hint ORDER BY exercise")
        return [_help(row) for row in rows]

    def save_exercise_help(self, help_taken: ExerciseHelp) -> None:
        with self.store.transaction() as db:
            db.execute(_SAVE_HELP, _values(help_taken.to_dict(), _HELP_COLUMNS))

    def hints_shown(self, exercise: str) -> int:
        """The number stored for the exercise (the hints of its current review; see ``grading.attempts``)."""
        return self.exercise_help(exercise).hints_shown

    def hint_counts(self) -> dict[str, int]:
        return {row.exercise: row.hints_shown for row in self.exercise_helps()}

    def set_hints_shown(self, exercise: str, count: int, at: datetime | None = None) -> None:
        """Store the hint count, shown at ``at`` (now when not given)."""
        help_taken = self.exercise_help(exercise)
        self.save_exercise_help(replace(help_taken, hints_shown=count, last_shown_at=to_millis(at or clock.now())))

    def mark_solution_shown(self, exercise: str, at: datetime) -> None:
        self.save_exercise_help(replace(self.exercise_help(exercise), solution_shown_at=to_millis(at)))

    def mark_restarted(self, exercise: str, at: datetime) -> None:
        self.save_exercise_help(replace(self.exercise_help(exercise), restarted_at=to_millis(at)))

    # -- exercise reviews (the exercises' schedules) -------------------------------------------------------------

    def exercise_reviews(self, exercise: str | None = None) -> list[ExerciseReview]:
        """Reviews in time order, of one exercise or of all."""
        where, params = ("", ()) if exercise is None else (" WHERE exercise = ?", (exercise,))
        rows = self.db.execute(f"SELECT * FROM exercise_review{where} ORDER BY reviewed_at, id", params)
        return [_exercise_review(row) for row in rows]

    def last_exercise_reviews(self) -> dict[str, ExerciseReview]:
        """Each reviewed exercise's latest review: its ``state_after`` is the exercise's schedule."""
        latest: dict[str, ExerciseReview] = {}
        for review in self.exercise_reviews():  # oldest first: the last one written wins
            latest[review.exercise] = review
        return latest

    def record_exercise_review(
        self, exercise: str, rule: str, rating: int, attempts: int, hints_used: int, at: datetime | None = None
    ) -> ExerciseReview:
        """Schedule the exercise's next review with FSRS (``exercise_schedule``) and save this one."""
        moment = to_millis(at or clock.now())
        with self.store.transaction() as db:
            previous = self.exercise_reviews(exercise)
            before = previous[-1].state_after if previous else None
            scheduler = exercise_scheduler(StudySettings(self.store.settings()))
            after = next_schedule(scheduler, before, Rating(rating), moment)
            review = ExerciseReview(exercise, Rating(rating), rule, moment, attempts, hints_used, before, after)
            return self._add_exercise_review(db, review)

    def _add_exercise_review(self, db: sqlite3.Connection, review: ExerciseReview) -> ExerciseReview:
        values = _values(review.to_dict(states_as_json=True), _EXERCISE_REVIEW_COLUMNS)
        cursor = db.execute(_ADD_EXERCISE_REVIEW, values)
        return replace(review, id=cursor.lastrowid)

    def add_exercise_review(self, review: ExerciseReview) -> ExerciseReview:
        """Insert a review as it is (merging a backup)."""
        with self.store.transaction() as db:
            return self._add_exercise_review(db, review)

    def rewrite_exercise_review(self, review: ExerciseReview) -> None:
        """Replace a saved review's states (a merged history replayed through FSRS)."""
        if review.id is None:
            raise ValueError("only a saved review (with its id) can be rewritten")
        row = review.to_dict(states_as_json=True)
        with self.store.transaction() as db:
            db.execute(
                "UPDATE exercise_review SET state_before = ?, state_after = ? WHERE id = ?",
                (row["state_before"], row["state_after"], review.id),
            )
