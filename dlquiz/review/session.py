"""A study session: which card comes next, answering, undo, suspend and bury. No terminal code here.

The queue follows Anki: (re)learning cards that are due first, then reviews due today,
then new cards within today's limit; when nothing else is left, a learning card due within
the next 20 minutes is shown early rather than making the learner wait. What is due today,
and what the daily limits allow, is decided in ``day`` (shared with `decks` and `stats`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fsrs import Card, Rating

from dlquiz.cards.challenge import Challenge
from dlquiz.cards.deck import ReviewItem
from dlquiz.cards.types import make_challenge
from dlquiz.review import clock, scheduling
from dlquiz.review.day import NEW, Allowance, Counts, Queues, Siblings, StudyDay, queue_of, shown_from
from dlquiz.review.records import CardState, ReviewLog, SchedulingState
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.settings import StudySettings
from dlquiz.review.store import Store

LEARN_AHEAD = timedelta(minutes=20)


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
    before: CardState | None  # the card's row before the action; None: it had none
    log_id: int | None = None
    rating: Rating | None = None
    correct: bool | None = None
    duration_ms: int = 0


@dataclass(frozen=True)
class PendingAnswer:
    """An answer given but not yet saved: kept whole (with the moment it was given) so that a save that failed
    because another dlquiz held the lock can be tried again exactly as it was."""

    turn: Turn
    rating: Rating
    duration_ms: int
    correct: bool | None
    at: datetime


@dataclass(frozen=True)
class Outlook:
    """What is left of today when the session ends or runs dry, so the screen can say why nothing is shown."""

    due_now: Counts  # what would be shown now: learning cards due already, reviews and new cards within the limits
    new_held: int  # new cards the new-card limit holds back until tomorrow
    new_limit: int
    reviews_held: int  # reviews due today that the review limit holds back
    review_limit: int
    buried_by_siblings: int
    next_due: datetime | None  # when the next answered card that is not due now comes


@dataclass
class Summary:
    reviewed: int = 0
    correct: int = 0
    duration_ms: int = 0
    by_rating: dict[int, int] = field(default_factory=dict)


class StudySession:
    def __init__(
        self,
        store: Store,
        items: list[ReviewItem],
        lang: str,
        limit: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.repository = ProgressRepository(store)
        self.items = items
        self.lang = lang
        self.limit = limit
        self.rng = rng or random.Random()
        self.settings = StudySettings(store.settings())
        self.scheduler = scheduling.make_scheduler(self.settings)
        self.deck_ids = sorted({item.deck_id for item in items})
        self.states = self.repository.card_states(self.deck_ids)
        self.summary = Summary()
        self._undo: list[_Undo] = []
        self._returning: ReviewItem | None = None  # an undone card comes back first

    # -- the queue --------------------------------------------------------------------------

    def _state(self, item: ReviewItem) -> CardState | None:
        return self.states.get((item.deck_id, item.key))

    def _today(self, now: datetime) -> tuple[Queues[ReviewItem], Allowance]:
        day = StudyDay.of(self.settings, now)
        siblings = Siblings.today(self.repository, self.settings, day)
        queues = Queues.build(self.items, self.states, day, now, siblings)
        return queues, Allowance.today(self.repository, self.settings, day)

    def counts(self) -> Counts:
        queues, allowance = self._today(clock.now())
        return queues.counts(allowance)

    def limit_reached(self) -> bool:
        """Whether the session's own limit (``--limit``) has stopped it."""
        return self.limit is not None and self.summary.reviewed >= self.limit

    def next_turn(self) -> Turn | None:
        if self.limit_reached():
            return None
        now = clock.now()
        if self._returning is not None:
            item, self._returning = self._returning, None
            return self._turn(item, now)
        queues, allowance = self._today(now)
        learning = queues.learning
        if learning and learning[0][0] <= now:
            return self._turn(learning[0][1], now)
        if queues.review and allowance.reviews > 0:
            return self._turn(queues.review[0][1], now)
        if queues.new and allowance.new > 0:
            return self._turn(queues.new[0], now)
        if learning and learning[0][0] <= now + LEARN_AHEAD:
            return self._turn(learning[0][1], now)
        return None

    def next_due(self) -> datetime | None:
        """When the next answered card that is not due now is shown (a burial's end counts)."""
        return self.outlook().next_due

    def outlook(self) -> Outlook:
        now = clock.now()
        day = StudyDay.of(self.settings, now)
        siblings = Siblings.today(self.repository, self.settings, day)
        queues = Queues.build(self.items, self.states, day, now, siblings)
        allowance = Allowance.today(self.repository, self.settings, day)
        offered = queues.counts(allowance)
        learning_now = sum(1 for due, _item in queues.learning if due <= now)
        upcoming = []  # when each answered card of this session's items is next shown, if not now
        for item in self.items:
            state = self._state(item)
            if state is None or state.suspended or queue_of(state) == NEW:
                continue
            shown = shown_from(state, day, siblings.answered_besides(item.deck_id, item.key))
            if shown > now:
                upcoming.append(shown)
        return Outlook(
            due_now=Counts(offered.new, learning_now, offered.review),
            new_held=len(queues.new) - offered.new,
            new_limit=self.settings["new-per-day"],
            reviews_held=len(queues.review) - offered.review,
            review_limit=self.settings["reviews-per-day"],
            buried_by_siblings=queues.buried_by_siblings,
            next_due=min(upcoming, default=None),
        )

    def _turn(self, item: ReviewItem, now: datetime) -> Turn:
        self._refresh(item)  # another session may have answered it since we read the states: show it as it is now
        state = self._state(item)
        queue = queue_of(state)
        card = None if state is None or queue == NEW else state.schedule.to_card()
        challenge = make_challenge(item, self.lang, self.rng)
        outcomes = scheduling.preview(self.scheduler, card or scheduling.new_card(now), now)
        return Turn(item, queue, card, challenge, outcomes)

    # -- actions ----------------------------------------------------------------------------

    def _stored(self, item: ReviewItem) -> CardState | None:
        return self.repository.card_state(item.deck_id, item.key)

    def _refresh(self, item: ReviewItem) -> None:
        state = self._stored(item)
        if state is None:
            self.states.pop((item.deck_id, item.key), None)
        else:
            self.states[(item.deck_id, item.key)] = state

    def answer(self, turn: Turn, rating: Rating, duration_ms: int, correct: bool | None = None) -> PendingAnswer:
        """Save the answer at once. ``correct`` is the judged result for typed/choice cards. Returns the answer,
        saved; on a ``StoreError`` nothing was saved, and ``save`` can try the same answer again."""
        pending = PendingAnswer(turn, rating, duration_ms, correct, clock.now())
        self.save(pending)
        return pending

    def save(self, pending: PendingAnswer) -> None:
        """Save an answer. The card's row is read again in the saving transaction: when another session answered
        the card since it was shown, the rating applies to the card as it is now, not to the stale copy."""
        turn, rating, item = pending.turn, pending.rating, pending.turn.item

        def review_from(current: CardState | None) -> ReviewLog:
            queue = queue_of(current)
            fresh = None if current is None or queue == NEW else current.schedule
            shown = None if turn.card is None else SchedulingState.from_card(turn.card)
            if fresh == shown:
                after = turn.outcomes[rating].card
            else:  # changed behind our back: schedule from what is stored now
                after, _log = self.scheduler.review_card(
                    fresh.to_card() if fresh else scheduling.new_card(pending.at), rating, review_datetime=pending.at
                )
            return ReviewLog(
                item.deck_id,
                item.key,
                rating,
                queue,
                pending.at,
                pending.duration_ms,
                fresh,
                SchedulingState.from_card(after),
            )

        before, saved = self.repository.answer_card(item.deck_id, item.key, review_from)
        self._refresh(item)
        was_correct = pending.correct if pending.correct is not None else rating != Rating.Again
        self._count(rating, was_correct, pending.duration_ms, +1)
        self._undo.append(_Undo("answer", item, before, saved.id, rating, was_correct, pending.duration_ms))

    def _count(self, rating: Rating, correct: bool, duration_ms: int, sign: int) -> None:
        summary = self.summary
        summary.reviewed += sign
        summary.correct += sign * int(correct)
        summary.duration_ms += sign * duration_ms
        summary.by_rating[int(rating)] = summary.by_rating.get(int(rating), 0) + sign

    def suspend(self, turn: Turn) -> None:
        item = turn.item
        self._undo.append(_Undo("suspend", item, self._stored(item)))
        self.repository.set_suspended(item.deck_id, item.key, True, clock.now())
        self._refresh(item)

    def bury(self, turn: Turn) -> None:
        """Hide the card until the next study day starts."""
        item, now = turn.item, clock.now()
        self._undo.append(_Undo("bury", item, self._stored(item)))
        self.repository.bury(item.deck_id, item.key, StudyDay.of(self.settings, now).end, now)
        self._refresh(item)

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> _Undo | None:
        """Take back the last answer, suspend or bury; that card is shown again next."""
        if not self._undo:
            return None
        last = self._undo.pop()
        self.repository.restore(last.item.deck_id, last.item.key, last.before, drop_log_id=last.log_id)
        self._refresh(last.item)
        if last.action == "answer" and last.rating is not None:
            self._count(last.rating, bool(last.correct), last.duration_ms, -1)
        self._returning = last.item
        return last
