"""The progress tables' rows as typed records: what ``repository`` takes and returns, and what a progress file holds.

``to_dict`` gives a record's fields as stored (times in our one UTC text format, flags as 0/1), which is also its
record in a progress file (``interop.backup``); ``from_dict`` reads it back. The repository derives its SQL column
lists from these dataclasses' fields, so a new column is a new field here, in ``to_dict`` and in ``from_dict``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from fsrs import Card, Rating, State

from dlquiz.review import clock

Key = tuple[str, str]  # (deck id, card id); the card id is a review item's key such as relu-def::reverse


def _text_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else clock.to_text(moment)


def _time_or_none(text: str | None) -> datetime | None:
    return None if text is None else clock.from_text(text)


# SQLite stores integers in 64 bits; a larger one cannot be saved (Python's sqlite3 raises OverflowError).
SQLITE_MAX_INT = 2**63 - 1
QUEUES = ("new", "learning", "review", "relearning")
EXERCISE_STATUSES = ("passed", "failed", "error")


def _count(name: str, value: Any) -> int:
    """A whole number from 0 to SQLite's largest: counts, durations, learning steps."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SQLITE_MAX_INT:
        raise ValueError(f"{name} must be a whole number from 0 to {SQLITE_MAX_INT}, not {value!r}")
    return value


def _optional_count(name: str, value: Any) -> int | None:
    return None if value is None else _count(name, value)


def _finite(name: str, value: Any, low: float, high: float, low_open: bool = False) -> float | None:
    """None, or a finite number in [low, high] ((low, high] with ``low_open``): NaN, infinities and values py-fsrs
    never writes would make the scheduler raise or loop whenever the card comes due."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, not {value!r}")
    number = float(value)
    inside = math.isfinite(number) and (low < number if low_open else low <= number) and number <= high
    if not inside:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be a finite number in {bracket}{low:g}, {high:g}], not {value!r}")
    return number


def _state_of(value: Any) -> State:
    if isinstance(value, bool) or value not in (1, 2, 3):
        raise ValueError(f"state must be 1 (learning), 2 (review) or 3 (relearning), not {value!r}")
    return State(value)


def _one_of(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def to_millis(moment: datetime) -> datetime:
    """The instant as stored (UTC, whole milliseconds), so a state compares equal to itself read back."""
    return clock.from_text(clock.to_text(moment))


MAX_STABILITY = 1e12  # days; py-fsrs caps intervals at 100 years, so anything near this is already absurd


@dataclass(frozen=True)
class SchedulingState:
    """What py-fsrs knows about a card (the fields of ``fsrs.Card`` we keep). card_state holds the current one;
    each review-log row holds the one before and after its answer."""

    state: State
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    def __post_init__(self) -> None:
        # The one gate for every schedule, from py-fsrs, the database or a progress file: a value py-fsrs cannot
        # schedule from is refused here (ValueError) rather than crashing the study session whenever it is due.
        object.__setattr__(self, "state", _state_of(self.state))
        object.__setattr__(self, "step", _optional_count("step", self.step))
        object.__setattr__(self, "stability", _finite("stability", self.stability, 0, MAX_STABILITY, low_open=True))
        object.__setattr__(self, "difficulty", _finite("difficulty", self.difficulty, 1, 10))
        if self.last_review is not None and (self.stability is None or self.difficulty is None):
            raise ValueError("an answered card needs a stability and a difficulty")

    @classmethod
    def from_card(cls, card: Card) -> SchedulingState:
        last = None if card.last_review is None else to_millis(card.last_review)
        return cls(State(card.state), card.step, card.stability, card.difficulty, to_millis(card.due), last)

    def to_card(self) -> Card:
        # card_id is ours to keep elsewhere; a fixed value avoids py-fsrs's id-generating sleep.
        return Card(
            card_id=0,
            state=self.state,
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": int(self.state),
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": clock.to_text(self.due),
            "last_review": _text_or_none(self.last_review),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SchedulingState:
        return cls(
            _state_of(data["state"]),
            data["step"],
            data["stability"],
            data["difficulty"],
            clock.from_text(data["due"]),
            _time_or_none(data["last_review"]),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


@dataclass(frozen=True)
class CardState:
    """One card_state row: a review item's schedule, and the learner's suspend and bury flags. A card that was
    suspended or buried before it was ever answered has a row too; ``last_review`` None keeps it new."""

    deck_id: str
    card_id: str
    state: State
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    suspended: bool = False
    buried_until: datetime | None = None  # hidden from the queue until this instant

    def __post_init__(self) -> None:
        self.schedule  # noqa: B018 - building it checks the schedule's ranges

    @property
    def key(self) -> Key:
        return (self.deck_id, self.card_id)

    @property
    def schedule(self) -> SchedulingState:
        return SchedulingState(self.state, self.step, self.stability, self.difficulty, self.due, self.last_review)

    @classmethod
    def scheduled(
        cls,
        deck_id: str,
        card_id: str,
        schedule: SchedulingState,
        suspended: bool = False,
        buried_until: datetime | None = None,
    ) -> CardState:
        return cls(
            deck_id,
            card_id,
            schedule.state,
            schedule.step,
            schedule.stability,
            schedule.difficulty,
            schedule.due,
            schedule.last_review,
            suspended,
            buried_until,
        )

    def with_schedule(self, schedule: SchedulingState) -> CardState:
        """This row with another schedule; the flags and any other column stay."""
        return replace(
            self,
            state=schedule.state,
            step=schedule.step,
            stability=schedule.stability,
            difficulty=schedule.difficulty,
            due=schedule.due,
            last_review=schedule.last_review,
        )

    @classmethod
    def unanswered(cls, deck_id: str, card_id: str, now: datetime) -> CardState:
        """The row of a card that has flags but no answer yet."""
        return cls(deck_id, card_id, State.Learning, None, None, None, to_millis(now), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "deck_id": self.deck_id,
            "card_id": self.card_id,
            **self.schedule.to_dict(),
            "suspended": int(self.suspended),
            "buried_until": _text_or_none(self.buried_until),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CardState:
        if data["suspended"] not in (0, 1):
            raise ValueError(f"suspended must be 0 or 1, not {data['suspended']!r}")
        return cls(
            data["deck_id"],
            data["card_id"],
            _state_of(data["state"]),
            data["step"],
            data["stability"],
            data["difficulty"],
            clock.from_text(data["due"]),
            _time_or_none(data["last_review"]),
            bool(data["suspended"]),
            _time_or_none(data["buried_until"]),
        )


@dataclass(frozen=True)
class ReviewLog:
    """One answer: which card, the rating, the queue it came from, when, how long it took, and the card's
    scheduling state before (None for a new card) and after."""

    deck_id: str
    card_id: str
    rating: Rating
    queue: str  # new | learning | review | relearning
    reviewed_at: datetime
    duration_ms: int | None
    state_before: SchedulingState | None
    state_after: SchedulingState
    id: int | None = None  # the local row id: None until saved, never exported

    def __post_init__(self) -> None:
        if isinstance(self.rating, bool) or self.rating not in (1, 2, 3, 4):
            raise ValueError(f"rating must be 1, 2, 3 or 4, not {self.rating!r}")
        _one_of("queue", self.queue, QUEUES)
        _optional_count("duration_ms", self.duration_ms)

    @property
    def key(self) -> Key:
        return (self.deck_id, self.card_id)

    def to_dict(self, states_as_json: bool = False) -> dict[str, Any]:
        """The record without the local id. The states are objects, so scripts can read them, or, as stored in
        the database, JSON text."""

        def state(value: SchedulingState) -> Any:
            return value.to_json() if states_as_json else value.to_dict()

        return {
            "deck_id": self.deck_id,
            "card_id": self.card_id,
            "rating": int(self.rating),
            "queue": self.queue,
            "reviewed_at": clock.to_text(self.reviewed_at),
            "duration_ms": self.duration_ms,
            "state_before": None if self.state_before is None else state(self.state_before),
            "state_after": state(self.state_after),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReviewLog:
        before = data["state_before"]
        rating = data["rating"]
        if isinstance(rating, bool) or rating not in (1, 2, 3, 4):
            raise ValueError(f"rating must be 1, 2, 3 or 4, not {rating!r}")
        return cls(
            data["deck_id"],
            data["card_id"],
            Rating(rating),
            data["queue"],
            clock.from_text(data["reviewed_at"]),
            data["duration_ms"],
            None if before is None else SchedulingState.from_dict(before),
            SchedulingState.from_dict(data["state_after"]),
            data.get("id"),
        )


@dataclass(frozen=True)
class ExerciseAttempt:
    """One grading of the learner's exercise file."""

    exercise: str
    attempted_at: datetime
    status: str  # passed | failed | error
    cases_passed: int
    cases_total: int
    hints_used: int
    summary: str = ""  # one line: what went wrong first

    def __post_init__(self) -> None:
        _one_of("status", self.status, EXERCISE_STATUSES)
        for name in ("cases_passed", "cases_total", "hints_used"):
            _count(name, getattr(self, name))
        if self.cases_passed > self.cases_total:
            raise ValueError(f"cases_passed ({self.cases_passed}) is more than cases_total ({self.cases_total})")

    def to_dict(self) -> dict[str, Any]:
        return {
            **{item.name: getattr(self, item.name) for item in fields(self)},
            "attempted_at": clock.to_text(self.attempted_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExerciseAttempt:
        values = {item.name: data[item.name] for item in fields(cls)}
        return cls(**{**values, "attempted_at": clock.from_text(data["attempted_at"])})


@dataclass(frozen=True)
class ExerciseReview:
    """One scheduled review of an exercise: made by a pass (or a give-up), rated by ``rule`` (the outcome rules
    in ``grading.attempts``). The exercise's schedule is its last review's ``state_after``."""

    exercise: str
    rating: Rating
    rule: str  # first-try | clean | hints | solution | gave-up
    reviewed_at: datetime
    attempts: int  # gradings in this review, the pass included
    hints_used: int  # hints shown in this review
    state_before: SchedulingState | None  # None for the exercise's first review
    state_after: SchedulingState
    id: int | None = None  # the local row id: None until saved, never exported

    @property
    def due(self) -> datetime:
        return self.state_after.due

    def to_dict(self, states_as_json: bool = False) -> dict[str, Any]:
        def state(value: SchedulingState) -> Any:
            return value.to_json() if states_as_json else value.to_dict()

        return {
            "exercise": self.exercise,
            "rating": int(self.rating),
            "rule": self.rule,
            "reviewed_at": clock.to_text(self.reviewed_at),
            "attempts": self.attempts,
            "hints_used": self.hints_used,
            "state_before": None if self.state_before is None else state(self.state_before),
            "state_after": state(self.state_after),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExerciseReview:
        before = data["state_before"]
        return cls(
            data["exercise"],
            Rating(data["rating"]),
            data["rule"],
            clock.from_text(data["reviewed_at"]),
            data["attempts"],
            data["hints_used"],
            None if before is None else SchedulingState.from_dict(before),
            SchedulingState.from_dict(data["state_after"]),
            data.get("id"),
        )


@dataclass(frozen=True)
class ExerciseHelp:
    """One exercise_hint row: the help taken on an exercise. ``hints_shown`` counts the hints of the current review
    (it starts again at the first hint in the next one); the times say which review each piece of help belongs to."""

    exercise: str
    hints_shown: int = 0
    last_shown_at: datetime | None = None  # when the last hint was shown (None: before dlquiz kept the time)
    solution_shown_at: datetime | None = None
    restarted_at: datetime | None = None  # when a due review put the template back in the learner's file

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "hints_shown": self.hints_shown,
            "last_shown_at": _text_or_none(self.last_shown_at),
            "solution_shown_at": _text_or_none(self.solution_shown_at),
            "restarted_at": _text_or_none(self.restarted_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExerciseHelp:
        return cls(
            data["exercise"],
            data["hints_shown"],
            _time_or_none(data.get("last_shown_at")),
            _time_or_none(data.get("solution_shown_at")),
            _time_or_none(data.get("restarted_at")),
        )
