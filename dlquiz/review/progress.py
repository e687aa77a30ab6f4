"""Card progress in the database: states, the review log, suspending and burying.

Every method that writes is one transaction, committed before it returns, so an answer
survives whatever happens to the process next.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fsrs import Card, Rating

from dlquiz.review import clock
from dlquiz.review.scheduling import card_to_json
from dlquiz.review.store import Store

Snapshot = dict[str, Any] | None  # a card_state row as a dict, or None when the card had no row

_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "suspended", "buried_until")


class Progress:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    def states(self, deck_ids: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
        if not deck_ids:
            return {}
        marks = ",".join("?" * len(deck_ids))
        rows = self.db.execute(f"SELECT * FROM card_state WHERE deck_id IN ({marks})", deck_ids).fetchall()
        return {(row["deck_id"], row["card_id"]): dict(row) for row in rows}

    def snapshot(self, deck_id: str, key: str) -> Snapshot:
        row = self.db.execute("SELECT * FROM card_state WHERE deck_id = ? AND card_id = ?", (deck_id, key)).fetchone()
        return dict(row) if row else None

    def record_answer(
        self,
        deck_id: str,
        key: str,
        queue: str,
        rating: Rating,
        before: Card | None,
        after: Card,
        at: datetime,
        duration_ms: int | None,
    ) -> int:
        """Save the new state and a review-log row together; returns the log row's id."""
        with self.store.transaction() as db:
            db.execute(
                """INSERT INTO card_state (deck_id, card_id, state, step, stability, difficulty, due, last_review)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(deck_id, card_id) DO UPDATE SET
                     state = excluded.state, step = excluded.step, stability = excluded.stability,
                     difficulty = excluded.difficulty, due = excluded.due, last_review = excluded.last_review,
                     buried_until = NULL""",
                (
                    deck_id,
                    key,
                    int(after.state),
                    after.step,
                    after.stability,
                    after.difficulty,
                    clock.to_text(after.due),
                    clock.to_text(after.last_review or at),
                ),
            )
            cursor = db.execute(
                """INSERT INTO review_log (deck_id, card_id, rating, queue, reviewed_at, duration_ms, state_before, state_after)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    deck_id,
                    key,
                    int(rating),
                    queue,
                    clock.to_text(at),
                    duration_ms,
                    card_to_json(before) if before is not None else None,
                    card_to_json(after),
                ),
            )
            return int(cursor.lastrowid)

    def restore(self, deck_id: str, key: str, snapshot: Snapshot, drop_log_id: int | None = None) -> None:
        """Put a card back exactly as it was (undo); also removes the answer's log row when given."""
        with self.store.transaction() as db:
            if drop_log_id is not None:
                db.execute("DELETE FROM review_log WHERE id = ?", (drop_log_id,))
            if snapshot is None:
                db.execute("DELETE FROM card_state WHERE deck_id = ? AND card_id = ?", (deck_id, key))
                return
            values = [snapshot[column] for column in _COLUMNS]
            db.execute(
                f"""INSERT INTO card_state (deck_id, card_id, {", ".join(_COLUMNS)}) VALUES (?, ?, {",".join("?" * len(_COLUMNS))})
                    ON CONFLICT(deck_id, card_id) DO UPDATE SET
                    {", ".join(f"{column} = excluded.{column}" for column in _COLUMNS)}""",
                [deck_id, key, *values],
            )

    def _ensure_row(self, db, deck_id: str, key: str, now: datetime) -> None:
        # A never-answered card gets a placeholder row (last_review NULL keeps it "new").
        db.execute(
            "INSERT INTO card_state (deck_id, card_id, state, due) VALUES (?, ?, 1, ?) ON CONFLICT DO NOTHING",
            (deck_id, key, clock.to_text(now)),
        )

    def set_suspended(self, deck_id: str, key: str, suspended: bool, now: datetime) -> None:
        with self.store.transaction() as db:
            self._ensure_row(db, deck_id, key, now)
            db.execute(
                "UPDATE card_state SET suspended = ? WHERE deck_id = ? AND card_id = ?",
                (int(suspended), deck_id, key),
            )

    def bury(self, deck_id: str, key: str, until: datetime, now: datetime) -> None:
        with self.store.transaction() as db:
            self._ensure_row(db, deck_id, key, now)
            db.execute(
                "UPDATE card_state SET buried_until = ? WHERE deck_id = ? AND card_id = ?",
                (clock.to_text(until), deck_id, key),
            )

    def unsuspend_all(self, deck_ids: list[str]) -> int:
        marks = ",".join("?" * len(deck_ids))
        with self.store.transaction() as db:
            cursor = db.execute(
                f"UPDATE card_state SET suspended = 0 WHERE suspended = 1 AND deck_id IN ({marks})", deck_ids
            )
            return cursor.rowcount

    def answered_since(self, since: datetime) -> tuple[int, int]:
        """(new cards introduced, reviews done) since ``since`` — for the daily limits."""
        row = self.db.execute(
            """SELECT
                 COUNT(DISTINCT CASE WHEN queue = 'new' THEN deck_id || char(0) || card_id END),
                 SUM(queue = 'review')
               FROM review_log WHERE reviewed_at >= ?""",
            (clock.to_text(since),),
        ).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def next_due_after(self, deck_ids: list[str], moment: datetime) -> datetime | None:
        if not deck_ids:
            return None
        marks = ",".join("?" * len(deck_ids))
        row = self.db.execute(
            f"""SELECT MIN(due) FROM card_state WHERE deck_id IN ({marks}) AND suspended = 0
                AND last_review IS NOT NULL AND due > ?""",
            [*deck_ids, clock.to_text(moment)],
        ).fetchone()
        return clock.from_text(row[0]) if row and row[0] else None
