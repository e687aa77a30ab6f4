"""A study session: which card comes next, answering, undo, suspend and bury. No terminal code here.

The queue follows Anki: (re)learning cards that are due first, then reviews due today,
then new cards within today's limit; when nothing else is left, a learning card due within
the next 20 minutes is shown early rather than making the learner wait.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fsrs import Card, Rating, State

from dlquiz.review import clock
from dlquiz.review import scheduling
from dlquiz.cards.challenge import Challenge
from dlquiz.cards.deck import ReviewItem
from dlquiz.cards.types import make_challenge
from dlquiz.review.progress import Progress, Snapshot
from dlquiz.review.settings import StudySettings
from dlquiz.review.store import Store

LEARN_AHEAD = timedelta(minutes=20)
NEW, LEARNING, REVIEW, RELEARNING = "new", "learning", "review", "relearning"


@dataclass
class Turn:
    """One card in front of the learner: the item, which queue it came from, and what each rating would do."""

    item: ReviewItem
    queue: str
    card: Card | None  # None for a new card
    challenge: Challenge
    outcomes: dict[Rating, scheduling.Outcome]


@dataclass
class _Undo:
    action: str  # answer | suspend | bury
    item: ReviewItem
    snapshot: Snapshot
    log_id: int | None = None
    rating: Rating | None = None
    correct: bool | None = None
    duration_ms: int = 0


@dataclass
class Counts:
    new: int
    learning: int
    review: int


@dataclass
class Summary:
    reviewed: int = 0
    correct: int = 0
    duration_ms: int = 0
    by_rating: dict[int, int] = field(default_factory=dict)


def queue_of(state: dict | None) -> str:
    """Which queue a stored card belongs to: new (never answered), learning, review or relearning."""
    if state is None or state["last_review"] is None:
        return NEW
    return {State.Learning: LEARNING, State.Review: REVIEW, State.Relearning: RELEARNING}[State(state["state"])]


def day_bounds(now: datetime, day_starts_at: int) -> tuple[datetime, datetime]:
    """The study day containing ``now`` in local time, as UTC instants [start, end)."""
    local = now.astimezone()
    start = local.replace(hour=day_starts_at, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    return start.astimezone(now.tzinfo), (start + timedelta(days=1)).astimezone(now.tzinfo)


class StudySession:
    def __init__(
        self,
        store: Store,
        items: list[ReviewItem],
        lang: str,
        limit: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.progress = Progress(store)
        self.items = items
        self.lang = lang
        self.limit = limit
        self.rng = rng or random.Random()
        self.settings = StudySettings(store.settings())
        self.scheduler = scheduling.make_scheduler(self.settings)
        self.deck_ids = sorted({item.deck_id for item in items})
        self.states = self.progress.states(self.deck_ids)
        self.summary = Summary()
        self._undo: list[_Undo] = []
        self._returning: ReviewItem | None = None  # an undone card comes back first

    # -- the queue --------------------------------------------------------------------------

    def _state(self, item: ReviewItem) -> dict | None:
        return self.states.get((item.deck_id, item.key))

    def _buckets(self, now: datetime) -> tuple[list, list, list, int, int]:
        day_start, day_end = day_bounds(now, self.settings["day-starts-at"])
        new_done, reviews_done = self.progress.answered_since(day_start)
        new_left = max(0, self.settings["new-per-day"] - new_done)
        reviews_left = max(0, self.settings["reviews-per-day"] - reviews_done)
        new, learning, review = [], [], []
        now_text, end_text = clock.to_text(now), clock.to_text(day_end)
        for item in self.items:
            state = self._state(item)
            if state and (state["suspended"] or (state["buried_until"] and state["buried_until"] > now_text)):
                continue
            queue = queue_of(state)
            if queue == NEW:
                new.append(item)
            elif state["due"] < end_text:
                (review if queue == REVIEW else learning).append((state["due"], item))
        learning.sort(key=lambda pair: pair[0])
        review.sort(key=lambda pair: pair[0])
        return new, learning, review, new_left, reviews_left

    def counts(self) -> Counts:
        new, learning, review, new_left, reviews_left = self._buckets(clock.now())
        return Counts(min(len(new), new_left), len(learning), min(len(review), reviews_left))

    def next_turn(self) -> Turn | None:
        if self.limit is not None and self.summary.reviewed >= self.limit:
            return None
        now = clock.now()
        if self._returning is not None:
            item, self._returning = self._returning, None
            return self._turn(item, now)
        new, learning, review, new_left, reviews_left = self._buckets(now)
        now_text = clock.to_text(now)
        if learning and learning[0][0] <= now_text:
            return self._turn(learning[0][1], now)
        if review and reviews_left > 0:
            return self._turn(review[0][1], now)
        if new and new_left > 0:
            return self._turn(new[0], now)
        if learning and learning[0][0] <= clock.to_text(now + LEARN_AHEAD):
            return self._turn(learning[0][1], now)
        return None

    def next_due(self) -> datetime | None:
        """When the next answered card falls due (for the end-of-session message)."""
        return self.progress.next_due_after(self.deck_ids, clock.now())

    def _turn(self, item: ReviewItem, now: datetime) -> Turn:
        state = self._state(item)
        queue = queue_of(state)
        card = None if queue == NEW else scheduling.card_from_row(state)
        challenge = make_challenge(item, self.lang, self.rng)
        outcomes = scheduling.preview(self.scheduler, card or scheduling.new_card(now), now)
        return Turn(item, queue, card, challenge, outcomes)

    # -- actions ----------------------------------------------------------------------------

    def _refresh(self, item: ReviewItem) -> None:
        snapshot = self.progress.snapshot(item.deck_id, item.key)
        if snapshot is None:
            self.states.pop((item.deck_id, item.key), None)
        else:
            self.states[(item.deck_id, item.key)] = snapshot

    def answer(self, turn: Turn, rating: Rating, duration_ms: int, correct: bool | None = None) -> None:
        """Save the answer at once. ``correct`` is the judged result for typed/choice cards."""
        item = turn.item
        before = self.progress.snapshot(item.deck_id, item.key)
        outcome = turn.outcomes[rating]
        log_id = self.progress.record_answer(
            item.deck_id, item.key, turn.queue, rating, turn.card, outcome.card, clock.now(), duration_ms
        )
        self._refresh(item)
        was_correct = correct if correct is not None else rating != Rating.Again
        self._count(rating, was_correct, duration_ms, +1)
        self._undo.append(_Undo("answer", item, before, log_id, rating, was_correct, duration_ms))

    def _count(self, rating: Rating, correct: bool, duration_ms: int, sign: int) -> None:
        summary = self.summary
        summary.reviewed += sign
        summary.correct += sign * int(correct)
        summary.duration_ms += sign * duration_ms
        summary.by_rating[int(rating)] = summary.by_rating.get(int(rating), 0) + sign

    def suspend(self, turn: Turn) -> None:
        item = turn.item
        self._undo.append(_Undo("suspend", item, self.progress.snapshot(item.deck_id, item.key)))
        self.progress.set_suspended(item.deck_id, item.key, True, clock.now())
        self._refresh(item)

    def bury(self, turn: Turn) -> None:
        """Hide the card until the next study day starts."""
        item, now = turn.item, clock.now()
        self._undo.append(_Undo("bury", item, self.progress.snapshot(item.deck_id, item.key)))
        _start, day_end = day_bounds(now, self.settings["day-starts-at"])
        self.progress.bury(item.deck_id, item.key, day_end, now)
        self._refresh(item)

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> _Undo | None:
        """Take back the last answer, suspend or bury; that card is shown again next."""
        if not self._undo:
            return None
        last = self._undo.pop()
        self.progress.restore(last.item.deck_id, last.item.key, last.snapshot, drop_log_id=last.log_id)
        self._refresh(last.item)
        if last.action == "answer" and last.rating is not None:
            self._count(last.rating, bool(last.correct), last.duration_ms, -1)
        self._returning = last.item
        return last
